"""Local fakes of Entra ID (client-credentials tokens) and the Power BI refresh REST API.

Both are real HTTPS servers on 127.0.0.1 with a certificate from a trustme CA, so MSAL and
requests run unchanged (TLS, OIDC discovery, form-encoded token POST, JSON). Each records every
request; the Power BI fake checks the bearer token against the tokens the identity fake issued
(401 otherwise) and is scripted per test:

    pbi.trigger_script = [Reply(429, headers={"Retry-After": "7"}), ACCEPT]   # one item per POST
    pbi.plans.append(Plan([{"status": "Unknown"}, Reply(503), {"status": "Completed"}], duration=42.5))
    pbi.add_history("Scheduled", started=..., steps=[{"status": "Completed"}])  # someone else's

A plan's steps are what successive reads of that refresh show (a history listing that includes
it, or GET .../refreshes/{id}); the last step repeats. A step is a dict of fields (status,
extendedStatus, serviceExceptionJson, messages; "endTime": END to show an end time while not
finished) or a `Reply` answered instead (a transient 503). Terminal steps get
endTime = startTime + duration.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import ssl
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import trustme

SCOPE = "https://analysis.windows.net/powerbi/api/.default"
ACCEPT = "accept"  # trigger script item: accept the refresh (202) with the next plan
END = "end"  # step field value: show endTime = startTime + duration
TERMINAL = {"completed", "failed", "cancelled", "disabled", "timedout"}


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime) -> str:
    """The service's format: seven fraction digits and Z."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    takes_effect: bool = False  # trigger only: the refresh starts although this (error) is answered


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: dt.datetime

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


class _Server:
    """A threaded HTTPS server on 127.0.0.1 answering through `respond(recorded) -> Reply`."""

    def __init__(self, ca: trustme.CA) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                server._handle(self)

            do_GET = do_POST = do_DELETE = _any

            def log_message(self, *args) -> None:  # quiet
                pass

        self.requests: list[Recorded] = []
        self.lock = threading.RLock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        parts = urlsplit(handler.path)
        recorded = Recorded(
            handler.command,
            parts.path,
            {k: v[0] for k, v in parse_qs(parts.query).items()},
            {k.lower(): v for k, v in handler.headers.items()},
            handler.rfile.read(length) if length else b"",
            utc_now(),
        )
        with self.lock:
            self.requests.append(recorded)
            reply = self.respond(recorded)
        payload = b"" if reply.body is None else json.dumps(reply.body).encode()
        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if payload:
            handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def respond(self, request: Recorded) -> Reply:  # pragma: no cover - overridden
        raise NotImplementedError


class FakeIdentity(_Server):
    """Entra ID for one tenant and one app: OIDC discovery and the client-credentials token POST."""

    def __init__(self, ca: trustme.CA, tenant: str = "contoso-tenant", client_id: str = "cip-app", client_secret: str = "s3cr3t-Value-42") -> None:
        super().__init__(ca)
        self.tenant, self.client_id, self.client_secret = tenant, client_id, client_secret
        self.reject_secret = False  # answer invalid_client even for the right secret (expired secret)
        self.issued: list[str] = []

    def token_posts(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path.endswith("/oauth2/v2.0/token")]

    def respond(self, request: Recorded) -> Reply:
        tenant, _, rest = request.path.strip("/").partition("/")
        if tenant != self.tenant:
            description = f"AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID.\r\nTrace ID: 0"
            return Reply(400, {"error": "invalid_tenant", "error_description": description})
        base = f"{self.url}/{tenant}"
        if request.method == "GET" and rest == "v2.0/.well-known/openid-configuration":
            return Reply(200, {
                "issuer": f"{base}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            })  # fmt: skip
        if request.method == "POST" and rest == "oauth2/v2.0/token":
            form = request.form
            if form.get("grant_type") != "client_credentials":
                return Reply(400, {"error": "unsupported_grant_type", "error_description": "AADSTS70003: unsupported grant"})
            if form.get("client_id") != self.client_id:
                description = (
                    f"AADSTS700016: Application with identifier '{form.get('client_id')}' was not found in the directory '{tenant}'.\r\nTrace ID: 1"
                )
                return Reply(400, {"error": "unauthorized_client", "error_description": description})
            if self.reject_secret or form.get("client_secret") != self.client_secret:
                description = (
                    "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, "
                    f"not the client secret ID, for a secret added to app '{self.client_id}'.\r\nTrace ID: 2"
                )
                return Reply(401, {"error": "invalid_client", "error_description": description})
            if SCOPE not in form.get("scope", "").split():
                return Reply(400, {"error": "invalid_scope", "error_description": "AADSTS1002012: The provided value for scope is not valid."})
            token = f"fake-access-token-{len(self.issued) + 1}-{uuid.uuid4().hex}"
            self.issued.append(token)
            return Reply(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token})
        return Reply(404, {"error": "not_found"})


@dataclass
class Plan:
    """How one refresh unfolds: the successive reads (see the module docstring)."""

    steps: list[Any] = field(default_factory=lambda: [{"status": "Completed"}])
    duration: float = 42.5
    start_delay: float = 0.0  # startTime = time accepted + this
    hidden_reads: int = 0  # history listings that do not show it yet


@dataclass
class FakeRefresh:
    request_id: str
    refresh_type: str  # ViaApi, ViaEnhancedApi, Scheduled, OnDemand
    started: dt.datetime
    plan: Plan
    body: dict | None = None
    reads: int = 0
    listings: int = 0

    @property
    def enhanced(self) -> bool:
        return self.refresh_type == "ViaEnhancedApi"

    def read(self) -> dict | Reply:
        step = self.plan.steps[min(self.reads, len(self.plan.steps) - 1)]
        self.reads += 1
        if isinstance(step, Reply):
            return step
        view = {"requestId": self.request_id, "id": abs(hash(self.request_id)) % 10**9, "refreshType": self.refresh_type,
                "startTime": iso(self.started), "status": "Unknown"}  # fmt: skip
        view.update({k: v for k, v in step.items() if k != "endTime"})
        state = str(view.get("extendedStatus") or view["status"]).lower()
        if state in TERMINAL or step.get("endTime") == END:
            view["endTime"] = iso(self.started + dt.timedelta(seconds=self.plan.duration))
        if self.enhanced:
            view.setdefault("type", (self.body or {}).get("type", "Full"))
            view.setdefault("commitMode", (self.body or {}).get("commitMode", "transactional"))
            view.setdefault("objects", [])
            view.setdefault("messages", [])
        return view


class FakePowerBI(_Server):
    """The refresh endpoints of one dataset in one workspace."""

    def __init__(self, ca: trustme.CA, identity: FakeIdentity, workspace: str = "ws-0001", dataset: str = "ds-0042") -> None:
        super().__init__(ca)
        self.identity, self.workspace, self.dataset = identity, workspace, dataset
        self.api_url = f"{self.url}/v1.0/myorg"
        self.trigger_script: list[Reply | str] = []
        self.plans: deque[Plan] = deque()
        self.refreshes: list[FakeRefresh] = []
        self._ids = (f"{n:08d}-0000-4000-8000-{uuid.uuid4().hex[:12]}" for n in itertools.count(1))

    # -- scripting ----------------------------------------------------------------------------

    def add_history(self, refresh_type: str, started: dt.datetime, steps: list[Any], duration: float = 60.0) -> FakeRefresh:
        refresh = FakeRefresh(next(self._ids), refresh_type, started, Plan(steps, duration))
        self.refreshes.append(refresh)
        return refresh

    def calls(self, method: str | None = None, suffix: str = "") -> list[Recorded]:
        return [r for r in self.requests if (method is None or r.method == method) and r.path.endswith(suffix)]

    @property
    def triggers(self) -> list[Recorded]:
        return self.calls("POST", "/refreshes")

    def ours(self) -> list[FakeRefresh]:
        return [r for r in self.refreshes if r.refresh_type in ("ViaApi", "ViaEnhancedApi")]

    # -- serving ------------------------------------------------------------------------------

    def respond(self, request: Recorded) -> Reply:
        authorization = request.headers.get("authorization", "")
        if not authorization.startswith("Bearer ") or authorization[7:] not in self.identity.issued:
            expired = {"error": {"code": "TokenExpired", "message": "Access token is missing, invalid or expired"}}
            return Reply(401, expired, {"WWW-Authenticate": 'Bearer realm=""'})
        prefix = f"/v1.0/myorg/groups/{self.workspace}/datasets/{self.dataset}/refreshes"
        if not request.path.startswith(prefix):
            return Reply(404, {"error": {"code": "ItemNotFound", "message": f"Couldn't find dataset {request.path}"}})
        rest = request.path[len(prefix) :].strip("/")
        if request.method == "POST" and not rest:
            return self._trigger(request)
        if request.method == "GET" and not rest:
            return self._history(int(request.query.get("$top", "60")))
        if request.method == "GET":
            refresh = next((r for r in self.refreshes if r.request_id == rest), None)
            if refresh is None or not refresh.enhanced:
                return Reply(404, {"error": {"code": "ItemNotFound", "message": f"Refresh {rest} not found"}})
            view = refresh.read()
            if isinstance(view, Reply):
                return view
            done = str(view.get("extendedStatus") or view["status"]).lower() in TERMINAL
            return Reply(200 if done else 202, view)
        return Reply(405, {"error": {"code": "MethodNotAllowed", "message": request.method}})

    def _trigger(self, request: Recorded) -> Reply:
        body = request.json or {}
        enhanced = bool(set(body) - {"notifyOption"})
        if enhanced and "notifyOption" in body:
            return Reply(400, {"error": {"code": "InvalidRequest", "message": "notifyOption is not supported with enhanced refresh parameters"}})
        scripted = self.trigger_script.pop(0) if self.trigger_script else ACCEPT
        if isinstance(scripted, Reply) and not scripted.takes_effect:
            return scripted
        plan = self.plans.popleft() if self.plans else Plan()
        refresh = FakeRefresh(next(self._ids), "ViaEnhancedApi" if enhanced else "ViaApi",
                              request.at + dt.timedelta(seconds=plan.start_delay), plan, body)  # fmt: skip
        self.refreshes.append(refresh)
        if isinstance(scripted, Reply):
            return scripted
        headers = {"RequestId": str(uuid.uuid4())}  # an activity id, NOT the refresh id (a trap for the client)
        if enhanced:
            location = f"{self.api_url}/groups/{self.workspace}/datasets/{self.dataset}/refreshes/{refresh.request_id}"
            headers.update({"Location": location, "x-ms-request-id": refresh.request_id})
        return Reply(202, None, headers)

    def _history(self, top: int) -> Reply:
        listed = []
        for refresh in sorted(self.refreshes, key=lambda r: r.started, reverse=True):
            refresh.listings += 1
            if refresh.listings <= refresh.plan.hidden_reads:
                continue
            listed.append(refresh)
            if len(listed) == top:
                break
        views = []
        for refresh in listed:
            view = refresh.read()
            if isinstance(view, Reply):
                return view
            views.append(view)
        return Reply(200, {"value": views})
