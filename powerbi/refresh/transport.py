"""HTTPS to the Power BI REST API: a bearer token on every call, bounded retries on throttles
(429, honouring Retry-After), server errors (5xx) and connection errors or timeouts.

A 2xx or another 4xx is returned to the caller, who knows what it means for that call.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from powerbi.refresh.errors import DeadlineReached, PowerBIError, ServiceUnavailable, TokenError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pacing:
    """How long the client waits between polls and retries (seconds), and how many times it tries.

    Polls start at `poll_first` and grow by `poll_factor` up to `poll_max`; a failed call is retried
    `retries` times after `retry_first` growing to `retry_max` (or after the service's Retry-After,
    capped at `max_retry_after`)."""

    poll_first: float = 5.0
    poll_factor: float = 1.5
    poll_max: float = 60.0
    retry_first: float = 2.0
    retry_max: float = 30.0
    retries: int = 5
    max_retry_after: float = 300.0
    find_looks: int = 8  # history lookups for the id of a refresh that was accepted without one
    poll_failures: int = 10  # consecutive polls that may fail (after their own retries) before giving up
    clock_skew: float = 30.0  # a refresh may show a start up to this long before our request (clocks differ)
    history_top: int = 20
    request_timeout: float = 30.0  # connect and read timeout of one HTTP request

    def poll_intervals(self):
        """5, 7.5, 11.25, ... up to 60 (with the defaults), forever."""
        interval = self.poll_first
        while True:
            yield interval
            interval = min(self.poll_max, interval * self.poll_factor)

    def retry_wait(self, attempt: int) -> float:
        return min(self.retry_max, self.retry_first * 2 ** (attempt - 1))


DEFAULT_PACING = Pacing()  # frozen: one instance serves as every default


class VerifyingSession(requests.Session):
    """A requests session that sends its `verify` and `timeout` with every request.

    A session-level `verify` loses to REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE when trust_env is on:
    requests' merge_environment_settings only keeps a verify given on the request itself (and then
    only when it is not True/None). So a configured CA bundle is passed per request and always
    wins; with no bundle (verify=True) the environment's bundle applies, as usual."""

    def __init__(self, verify: bool | str | Path = True, timeout: float = 30.0) -> None:
        super().__init__()
        self._verify = str(verify) if isinstance(verify, Path) else verify
        self._timeout = timeout

    def request(self, method, url, **kwargs):  # type: ignore[override]
        if kwargs.get("verify") is None:
            kwargs["verify"] = self._verify
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super().request(method, url, **kwargs)


@dataclass
class CallRecord:
    """The last call: how many attempts it took, and whether an earlier attempt may have reached
    the service before failing (a 5xx or a broken connection - a POST may then have taken effect)."""

    attempts: int = 0
    ambiguous: bool = False


class Transport:
    """Authenticated JSON calls with bounded retries; counts every HTTP request it sends."""

    def __init__(
        self,
        token: Callable[[], str],
        *,
        verify: bool | str | Path = True,
        pacing: Pacing = DEFAULT_PACING,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        logger: logging.Logger | logging.LoggerAdapter = log,
        session: requests.Session | None = None,
    ) -> None:
        self._token = token
        self.pacing = pacing
        self.clock = clock
        self.sleep = sleep
        self.log = logger
        self.session = session or VerifyingSession(verify, pacing.request_timeout)
        self.http_calls = 0
        self.last_call = CallRecord()

    def send(self, method: str, url: str, *, json_body: Any = None, deadline: float | None = None) -> requests.Response:
        """Send one call, retrying throttles, 5xx and connection errors; return the final response."""
        record = self.last_call = CallRecord()
        where = f"{method} {_path(url)}"
        for attempt in range(1, self.pacing.retries + 2):
            record.attempts = attempt
            retry_after = None
            try:
                headers = {"Authorization": f"Bearer {self._token()}", "Accept": "application/json"}
                self.http_calls += 1
                response = self.session.request(method, url, json=json_body, headers=headers)
            except TokenError as error:
                if not error.transient:
                    raise
                problem = str(error)
            except requests.exceptions.SSLError:
                raise PowerBIError(
                    f"{where}: TLS verification of {url.split('/')[2]} failed; check CIP_POWERBI_CA_BUNDLE (a corporate CA bundle) "
                    "and CIP_POWERBI_API_URL"
                ) from None
            except (requests.ConnectionError, requests.Timeout) as error:
                record.ambiguous = True
                problem = f"{type(error).__name__} (no answer from the service)"
            else:
                if response.status_code == 429:
                    retry_after = _retry_after(response)
                    problem = "HTTP 429 Too Many Requests (throttled)"
                elif response.status_code >= 500:
                    record.ambiguous = True
                    retry_after = _retry_after(response)
                    code, message = error_of(response)
                    problem = f"HTTP {response.status_code} {code or ''} {message or ''}".rstrip()
                else:
                    return response
            if attempt > self.pacing.retries:
                raise ServiceUnavailable(f"{where}: {problem}; gave up after {attempt} attempts")
            wait = min(retry_after, self.pacing.max_retry_after) if retry_after is not None else self.pacing.retry_wait(attempt)
            if deadline is not None and self.clock() + wait > deadline:
                raise DeadlineReached(f"{where}: {problem}; the next try (in {wait:g} s) would pass the timeout")
            self.log.warning("Power BI %s: %s; retry %d of %d in %g s.", where, problem, attempt, self.pacing.retries, wait)
            self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover


def error_of(response: requests.Response) -> tuple[str | None, str | None]:
    """The service's error code and message from `{"error": {"code", "message"}}`, or the text."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return None, text[:500] or None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        details = error.get("pbi.error") or {}
        code = error.get("code") or details.get("code")
        message = error.get("message")
        if not message and isinstance(details.get("details"), list):
            message = "; ".join(str(d.get("detail", {}).get("value", d)) for d in details["details"])
        return code, message
    if isinstance(error, str):
        return error, body.get("error_description") or body.get("message")
    return None, json.dumps(body)[:500]


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def _path(url: str) -> str:
    """The URL without scheme and host, for messages (ids are not secret; tokens never are in URLs)."""
    rest = url.split("://", 1)[-1]
    return "/" + rest.split("/", 1)[1] if "/" in rest else url
