"""Refresh the Power BI semantic model (dataset) over the REST API as a service principal
(docs/powerbi_refresh.md).

    auth.py            the access token: MSAL client credentials, cached by MSAL
    transport.py       HTTPS calls with the token and bounded retries; the Pacing
    client.py          RefreshClient: trigger, find our refresh, poll it to its end; RefreshResult
    configuration.py   a client from the CIP_POWERBI_* settings; whether they are complete
    errors.py          what can go wrong, never carrying a secret or a token
"""

from powerbi.refresh.auth import ServicePrincipalToken
from powerbi.refresh.client import EnhancedOptions, RefreshClient, RefreshResult
from powerbi.refresh.configuration import client_from_settings, is_configured, missing_settings, not_configured_message
from powerbi.refresh.errors import ApiError, DeadlineReached, PowerBIError, ServiceUnavailable, TokenError
from powerbi.refresh.transport import Pacing

__all__ = [
    "ApiError",
    "DeadlineReached",
    "EnhancedOptions",
    "Pacing",
    "PowerBIError",
    "RefreshClient",
    "RefreshResult",
    "ServiceUnavailable",
    "ServicePrincipalToken",
    "TokenError",
    "client_from_settings",
    "is_configured",
    "missing_settings",
    "not_configured_message",
]
