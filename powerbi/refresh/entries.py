"""What the Power BI service says about refreshes: the state of a refresh-history entry (and
which states are final), its errors and times, and whether a refused trigger means "a refresh is
already running"."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

Status = Literal["completed", "failed", "cancelled", "disabled", "timed_out"]
# service state (extendedStatus preferred, else status), lower case -> our status; anything else is in progress
TERMINAL: dict[str, Status] = {
    "completed": "completed",
    "failed": "failed",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "disabled": "disabled",
    "timedout": "failed",  # the service gave up on the refresh: a failure (service_status says TimedOut)
}
API_REFRESH_TYPES = {"ViaApi", "ViaEnhancedApi"}  # refreshType of refreshes started through this API
ALREADY_RUNNING = ("already", "in progress", "inprogress", "another refresh", "concurrent")


def state_of(entry: dict) -> str:
    """The service's state of a refresh: extendedStatus when present (the precise one), else status."""
    return str(entry.get("extendedStatus") or entry.get("status") or "Unknown")


def already_running(status: int, code: str | None, message: str | None) -> bool:
    """409 Conflict (older behaviour), or 400 whose code or message says a refresh is running."""
    if status == 409:
        return True
    text = f"{code or ''} {message or ''}".lower()
    return status == 400 and any(words in text for words in ALREADY_RUNNING)


def errors_of(entry: dict) -> list[tuple[str | None, str]]:
    """(code, message) pairs from serviceExceptionJson (a JSON string) and messages[]."""
    found: list[tuple[str | None, str]] = []
    raw = entry.get("serviceExceptionJson")
    if raw:
        try:
            details = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            details = {"errorDescription": str(raw)}
        if isinstance(details, dict):
            code = details.get("errorCode") or details.get("code")
            message = details.get("errorDescription") or details.get("message") or ""
            found.append((code, str(message)))
    for item in entry.get("messages") or []:
        if isinstance(item, dict) and (item.get("type") or "Error").lower() == "error":
            found.append((item.get("code"), str(item.get("message") or "")))
    return found


def parse_time(value: Any) -> dt.datetime | None:
    """An ISO 8601 time from the service (7 fraction digits, Z) as an aware UTC datetime."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
