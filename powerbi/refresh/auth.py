"""An access token for the Power BI REST API: MSAL client credentials (a service principal).

One MSAL application per provider, built on first use, so MSAL's in-memory token cache serves
every call after the first until the token is near expiry. Failures become a `TokenError` naming
the setting to check; neither the secret nor a token ever appears in a message.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import msal
import requests
from pydantic import SecretStr

from powerbi.refresh.errors import TokenError
from powerbi.refresh.transport import VerifyingSession

SCOPE = "https://analysis.windows.net/powerbi/api/.default"
TENANT, CLIENT, SECRET, HOST, CA = (
    "CIP_POWERBI_TENANT_ID",
    "CIP_POWERBI_CLIENT_ID",
    "CIP_POWERBI_CLIENT_SECRET",
    "CIP_POWERBI_AUTHORITY_HOST",
    "CIP_POWERBI_CA_BUNDLE",
)
# Entra error -> what to check. AADSTS codes: 7000215 invalid secret, 7000222 expired secret,
# 700016 application not found in the tenant, 90002 / 900023 tenant not found or malformed.
HINTS = (
    (("AADSTS7000215", "AADSTS7000222", "invalid_client"), f"check {SECRET} (wrong or expired secret) and {CLIENT}"),
    (("AADSTS700016", "unauthorized_client"), f"check {CLIENT} (the application is not registered in tenant {TENANT})"),
    (("AADSTS90002", "AADSTS900023", "invalid_tenant"), f"check {TENANT}"),
    (("invalid_scope",), "the service principal cannot request the Power BI scope; check the app registration"),
)
TRANSIENT = {"temporarily_unavailable", "server_error", "service_unavailable"}


class ServicePrincipalToken:
    """Callable returning a bearer token for the Power BI API (cached by MSAL)."""

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        client_secret: SecretStr | str,
        *,
        authority_host: str = "https://login.microsoftonline.com",
        verify: bool | str | Path = True,
        timeout: float = 30.0,
    ) -> None:
        self.tenant_id = tenant_id.strip()
        self.client_id = client_id.strip()
        self._secret = client_secret if isinstance(client_secret, SecretStr) else SecretStr(client_secret)
        self.authority = f"{authority_host.rstrip('/')}/{self.tenant_id}"
        self._verify = verify
        self._timeout = timeout
        self._app: msal.ConfidentialClientApplication | None = None
        self.last_source: str | None = None  # "identity_provider" or "cache"

    def __repr__(self) -> str:
        return f"ServicePrincipalToken(authority={self.authority!r}, client_id={self.client_id!r}, secret=**********)"

    def __call__(self) -> str:
        app = self._application()
        try:
            result = app.acquire_token_for_client(scopes=[SCOPE])
        except requests.RequestException as error:
            raise TokenError(self._unreachable(error), transient=not isinstance(error, requests.exceptions.SSLError)) from None
        if result.get("access_token"):
            self.last_source = result.get("token_source")
            return result["access_token"]
        raise TokenError(self._explain(result), transient=result.get("error") in TRANSIENT)

    def _application(self) -> msal.ConfidentialClientApplication:
        if self._app is None:
            try:
                self._app = msal.ConfidentialClientApplication(
                    self.client_id,
                    client_credential=self._secret.get_secret_value(),
                    authority=self.authority,
                    http_client=VerifyingSession(self._verify, self._timeout),
                    instance_discovery=False,  # the authority is configured and trusted; no discovery round trip
                )
            except requests.RequestException as error:
                raise TokenError(self._unreachable(error), transient=not isinstance(error, requests.exceptions.SSLError)) from None
            except (ValueError, RuntimeError) as error:  # OIDC discovery refused (unknown tenant) or unreadable
                raise TokenError(
                    f"Cannot sign in to Power BI: the identity service has no configuration for authority "
                    f"{self.authority} ({self._discovery_failure(error)}); check {TENANT} and {HOST}"
                ) from None
        return self._app

    def _explain(self, result: dict) -> str:
        error = str(result.get("error") or "unknown_error")
        description = self._scrub(str(result.get("error_description") or "")).strip().splitlines()
        first = description[0][:300] if description else ""
        hint = next(
            (hint for keys, hint in HINTS if any(key in error or key in first for key in keys)),
            f"check {TENANT}, {CLIENT} and {SECRET}",
        )
        if error in TRANSIENT:
            hint = "the identity service is busy; retried"
        return (
            f"Cannot get a Power BI access token for client {self.client_id} in tenant {self.tenant_id}: {error}"
            + (f" - {first}" if first else "")
            + f"; {hint}"
        )

    def _discovery_failure(self, error: Exception) -> str:
        """The identity service's answer to OIDC discovery (MSAL keeps it as the cause of its own error)."""
        for failure in (error.__context__, error):
            match = re.search(r"HTTP status: (\d+), Error: (.*)", str(failure or ""), re.S)
            if match:
                try:
                    body = json.loads(match.group(2))
                    said = f"{body.get('error', '')} - {str(body.get('error_description', '')).splitlines()[0]}"
                except (ValueError, AttributeError, IndexError):
                    said = match.group(2).strip().splitlines()[0] if match.group(2).strip() else ""
                return self._scrub(f"HTTP {match.group(1)} {said}".strip())[:300]
        return self._scrub(str(error).split(". ")[0] or type(error).__name__)[:300]

    def _unreachable(self, error: requests.RequestException) -> str:
        if isinstance(error, requests.exceptions.SSLError):
            return f"Cannot sign in to Power BI: TLS verification of {self.authority} failed; check {CA} (a corporate CA bundle) and {HOST}"
        return f"Cannot reach the identity service at {self.authority} ({type(error).__name__}); check {HOST} and the network or proxy"

    def _scrub(self, text: str) -> str:
        secret = self._secret.get_secret_value()
        return text.replace(secret, "**********") if secret else text
