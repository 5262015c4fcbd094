"""What can go wrong talking to Entra ID and the Power BI REST API - never carrying a secret or a token."""

from __future__ import annotations


class PowerBIError(Exception):
    """Base of the refresh client's errors; the message says what to check."""


class TokenError(PowerBIError):
    """No access token: wrong tenant, client id or secret, or the identity service is unreachable.

    `transient` marks a failure worth retrying (network, identity service busy)."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class ApiError(PowerBIError):
    """The Power BI service refused a request (a 4xx other than a throttle): status, code, message."""

    def __init__(self, message: str, *, status: int, code: str | None = None, service_message: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.service_message = service_message


class ServiceUnavailable(PowerBIError):
    """A call still failed (5xx, 429, connection error, timeout) after its bounded retries."""


class DeadlineReached(PowerBIError):
    """Waiting any longer would pass the overall refresh timeout."""
