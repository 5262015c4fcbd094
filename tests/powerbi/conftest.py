"""Fixtures of the Power BI refresh tests: a trustme CA, the fake identity and Power BI HTTPS
servers (tests/powerbi/fakes.py), a virtual clock, and a client factory wired to the fakes."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import trustme

from powerbi.refresh.auth import ServicePrincipalToken
from powerbi.refresh.client import RefreshClient
from tests.powerbi.fakes import FakeIdentity, FakePowerBI


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_file(ca, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("powerbi-ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def identity(ca):
    with FakeIdentity(ca) as server:
        yield server


@pytest.fixture
def pbi(ca, identity):
    with FakePowerBI(ca, identity) as server:
        yield server


@dataclass
class VirtualClock:
    """monotonic() and sleep() for the client: sleeping only moves the clock (and is recorded)."""

    now: float = 1_000.0
    sleeps: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def make_client(identity, pbi, ca_file, clock):
    """A client for the fakes (a fresh MSAL app each time: MSAL replays failed token calls)."""

    def make(**options) -> RefreshClient:
        secret = options.pop("secret", identity.client_secret)
        client_id = options.pop("client_id", identity.client_id)
        token = ServicePrincipalToken(identity.tenant, client_id, secret, authority_host=identity.url, verify=ca_file)
        settings = dict(
            api_url=pbi.api_url, workspace_id=pbi.workspace, dataset_id=pbi.dataset, token=token, verify=ca_file,
            clock=clock.monotonic, sleep=clock.sleep, timeout_seconds=3600,
        )  # fmt: skip
        return RefreshClient(**(settings | options))

    return make
