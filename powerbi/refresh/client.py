"""Trigger a Power BI semantic model (dataset) refresh and wait for its outcome.

    POST .../groups/{workspace}/datasets/{dataset}/refreshes     202 Accepted
    standard: no id in the answer -> our refresh is found in GET .../refreshes?$top=N
    enhanced: id from the Location header (or x-ms-request-id) -> GET .../refreshes/{id}

The outcome is a `RefreshResult`; only a refresh the service reports Completed is `ok`. A refresh
that ended Failed, Cancelled, Disabled or TimedOut is reported as such, never as a success.

Situations:
- 429: wait the Retry-After seconds; 5xx, connection errors, timeouts: retry with backoff (both
  bounded, see `Pacing`); a poll that still fails is skipped and the next poll tried.
- 400/409 "a refresh is already running": wait for that refresh to end, then trigger ours, all
  within the overall timeout (if our own earlier POST attempt failed ambiguously and a new API
  refresh appeared, that one is ours and is adopted instead of triggering a second).
- any other 4xx: fail at once with the service's error code and message.
- the overall timeout: status `timed_out`; we stop waiting, the refresh is NOT cancelled.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import requests

from powerbi.refresh.entries import API_REFRESH_TYPES, TERMINAL, Status, already_running, errors_of, parse_time, state_of
from powerbi.refresh.errors import ApiError, DeadlineReached, PowerBIError, ServiceUnavailable
from powerbi.refresh.transport import DEFAULT_PACING, Pacing, Transport, error_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EnhancedOptions:
    """Body of an enhanced refresh (Premium, PPU, Fabric capacity)."""

    type: str = "Full"  # Full, ClearValues, Calculate, DataOnly, Automatic, Defragment
    commit_mode: str = "transactional"  # or partialBatch
    retry_count: int = 0  # the service's own retries of a failed refresh
    max_parallelism: int | None = None
    objects: tuple[dict[str, str], ...] = ()  # [{"table": ..., "partition": ...}]; empty = the whole model
    apply_refresh_policy: bool | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "commitMode": self.commit_mode, "retryCount": self.retry_count}
        if self.max_parallelism is not None:
            body["maxParallelism"] = self.max_parallelism
        if self.objects:
            body["objects"] = [dict(item) for item in self.objects]
        if self.apply_refresh_policy is not None:
            body["applyRefreshPolicy"] = self.apply_refresh_policy
        return body


@dataclass
class RefreshResult:
    """What happened to one refresh request. Times are UTC; start, end and duration are the service's."""

    status: Status
    refresh_type: str  # standard | enhanced
    workspace_id: str
    dataset_id: str
    refresh_id: str | None = None
    requested_at: dt.datetime | None = None  # when we first sent the POST that was accepted (before its retries)
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    duration_seconds: float | None = None
    service_status: str | None = None  # last state the service reported (extendedStatus, else status)
    error_code: str | None = None
    error_message: str | None = None
    error_details: list[str] = field(default_factory=list)
    triggers: int = 0  # POST calls answered (accepted or refused as already running)
    polls: int = 0  # status reads of our refresh
    http_calls: int = 0  # every HTTP request to the Power BI API, retries included
    waited_for: list[str] = field(default_factory=list)  # ids of refreshes already running that we waited for
    waited_seconds: float = 0.0
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "completed"

    def summary(self) -> str:
        what = f"{self.refresh_type} refresh {self.refresh_id or '(no id)'} of dataset {self.dataset_id}"
        if self.status == "completed":
            took = f" in {self.duration_seconds:.1f} s" if self.duration_seconds is not None else ""
            return f"{what} completed{took}"
        if self.status == "timed_out":
            return f"{what} timed out: {self.note}"
        error = ": " + ": ".join(part for part in (self.error_code, self.error_message) if part) if (self.error_code or self.error_message) else ""
        state = f" (service status {self.service_status})" if self.service_status else ""
        return f"{what} {self.status}{state}{error}"


@dataclass
class _Run:
    result: RefreshResult
    deadline: float
    timeout: float
    latest: dict[str, Any] | None = None  # the last status entry read for our refresh
    accepted: bool = False  # the service accepted our POST (202)


class RefreshClient:
    """Refreshes one dataset. Build it with `powerbi.refresh.configuration.client_from_settings` or directly:
    `token` is a callable returning a bearer token (e.g. `powerbi.refresh.auth.ServicePrincipalToken`)."""

    def __init__(
        self,
        *,
        api_url: str,
        workspace_id: str,
        dataset_id: str,
        token: Callable[[], str],
        refresh_type: Literal["standard", "enhanced"] = "standard",
        enhanced: EnhancedOptions = EnhancedOptions(),
        timeout_seconds: float = 3600,
        verify: bool | str | Path = True,
        pacing: Pacing = DEFAULT_PACING,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        logger: logging.Logger | logging.LoggerAdapter = log,
    ) -> None:
        if refresh_type not in ("standard", "enhanced"):
            raise ValueError(f"refresh_type must be standard or enhanced, not {refresh_type!r}")
        self.workspace_id, self.dataset_id = workspace_id.strip(), dataset_id.strip()
        self.refresh_type = refresh_type
        self.enhanced = enhanced
        self.timeout_seconds = timeout_seconds
        self.pacing = pacing
        self.clock, self.sleep, self.now = clock, sleep, now
        self.log = logger
        self.transport = Transport(token, verify=verify, pacing=pacing, clock=clock, sleep=sleep, logger=logger)
        self.refreshes_url = f"{api_url.rstrip('/')}/groups/{self.workspace_id}/datasets/{self.dataset_id}/refreshes"

    # -- the whole refresh -------------------------------------------------------------------

    def refresh(self) -> RefreshResult:
        """Trigger the refresh and wait for its outcome (or the timeout). Raises `PowerBIError`
        when it cannot be triggered or followed: token, refused request, service unavailable."""
        result = RefreshResult("timed_out", self.refresh_type, self.workspace_id, self.dataset_id)
        run = _Run(result, deadline=self.clock() + self.timeout_seconds, timeout=self.timeout_seconds)
        calls_before = self.transport.http_calls
        try:
            self._trigger(run)
            self._follow(run)
        except DeadlineReached as reason:
            result.status = "timed_out"
            if run.accepted:
                result.note = (
                    f"stopped waiting after {self.timeout_seconds:g} s ({reason}); the refresh was NOT cancelled "
                    f"and may still finish - see the dataset's refresh history"
                )
            else:
                result.note = f"stopped waiting after {self.timeout_seconds:g} s: {reason}; no refresh of ours was accepted"
            self.log.error("Power BI %s", result.summary())
        finally:
            result.http_calls = self.transport.http_calls - calls_before
        return result

    # -- trigger -----------------------------------------------------------------------------

    def _body(self) -> dict[str, Any]:
        return {"notifyOption": "NoNotification"} if self.refresh_type == "standard" else self.enhanced.body()

    def _trigger(self, run: _Run) -> None:
        """POST the refresh; when one is already running, wait for it to end and POST again."""
        result = run.result
        conflict_waits = self.pacing.poll_intervals()
        while True:
            before = {entry["requestId"] for entry in self._history(run) if entry.get("requestId")}
            result.requested_at = self.now()
            response = self.transport.send("POST", self.refreshes_url, json_body=self._body(), deadline=run.deadline)
            ambiguous = self.transport.last_call.ambiguous
            result.triggers += 1
            if response.status_code in (200, 201, 202):
                run.accepted = True
                result.refresh_id = self._accepted_id(run, response, before)
                self.log.info("Power BI %s refresh %s of dataset %s accepted.", self.refresh_type, result.refresh_id, self.dataset_id)
                return
            code, message = error_of(response)
            if not already_running(response.status_code, code, message):
                raise self._refusal(response, "trigger the refresh")
            if ambiguous:  # an earlier attempt of this POST may have started a refresh: ours
                entry = self._ours(self._history(run), before, result.requested_at)
                if entry is not None:
                    self.log.warning(
                        "Power BI: our first refresh request failed ambiguously but started refresh %s; following it.", entry["requestId"]
                    )
                    result.refresh_id, run.latest, run.accepted = entry["requestId"], entry, True
                    return
            self._wait_for_others(run, response.status_code, code, message, conflict_waits)

    def _wait_for_others(self, run: _Run, status: int, code: str | None, message: str | None, intervals: Iterator[float]) -> None:
        self.log.warning(
            "Power BI: a refresh of dataset %s is already running (HTTP %d %s: %s); waiting for it to end, then triggering ours.",
            self.dataset_id,
            status,
            code or "",
            message or "",
        )
        started = self.clock()
        try:
            while True:
                self._pause(run, next(intervals), "another refresh of the dataset was still running, so ours was never triggered")
                running = [entry for entry in self._history(run) if state_of(entry).lower() not in TERMINAL]
                for entry in running:
                    if entry.get("requestId") and entry["requestId"] not in run.result.waited_for:
                        run.result.waited_for.append(entry["requestId"])
                if not running:
                    return
        finally:
            run.result.waited_seconds += self.clock() - started

    def _accepted_id(self, run: _Run, response, before: set[str]) -> str:
        if self.refresh_type == "enhanced":
            location = response.headers.get("Location", "").split("?")[0].rstrip("/")
            refresh_id = location.rsplit("/", 1)[-1] if location else response.headers.get("x-ms-request-id")
            if refresh_id:
                return refresh_id
        # standard (or an enhanced answer without an id): our refresh is the new one in the history
        for look in range(1, self.pacing.find_looks + 1):
            entry = self._ours(self._history(run), before, run.result.requested_at)
            if entry is not None:
                run.latest = entry
                return entry["requestId"]
            if look < self.pacing.find_looks:
                self._pause(run, self.pacing.retry_wait(look), "the accepted refresh had not appeared in the refresh history yet")
        raise PowerBIError(
            f"Power BI accepted the refresh of dataset {self.dataset_id} (HTTP 202) but it did not appear in the refresh "
            f"history after {self.pacing.find_looks} looks; it may still run - see the dataset's refresh history"
        )

    def _ours(self, entries: list[dict], before: set[str], requested_at: dt.datetime) -> dict | None:
        """Our refresh in the history: not there just before our POST, started through the API, at or
        after our request - the earliest such one; failing that, within the clock-skew allowance
        before it (the service's clock may be behind ours) - the closest to our request."""
        earliest = requested_at - dt.timedelta(seconds=self.pacing.clock_skew)
        fresh = [
            (start, entry) for entry in entries
            if entry.get("requestId") and entry["requestId"] not in before
            and entry.get("refreshType", "ViaApi") in API_REFRESH_TYPES
            and (start := parse_time(entry.get("startTime"))) is not None and start >= earliest
        ]  # fmt: skip
        after = [pair for pair in fresh if pair[0] >= requested_at]
        if after:
            return min(after, key=lambda pair: pair[0])[1]
        return max(fresh, key=lambda pair: pair[0])[1] if fresh else None

    # -- follow ------------------------------------------------------------------------------

    def _follow(self, run: _Run) -> None:
        """Poll with backoff until the refresh reaches a terminal state."""
        result = run.result
        entry, intervals, failures, missing = run.latest, self.pacing.poll_intervals(), 0, 0
        while True:
            if entry is None:
                try:
                    entry = self._read(run)
                    failures = 0
                except ServiceUnavailable as error:
                    failures += 1
                    if failures > self.pacing.poll_failures:
                        raise
                    self.log.warning("Power BI: could not read the status of refresh %s (%s); polling on.", result.refresh_id, error)
                if entry is None and not failures:
                    missing += 1
                    if missing > self.pacing.find_looks:
                        raise PowerBIError(
                            f"Power BI refresh {result.refresh_id} of dataset {self.dataset_id} is not in the refresh history any more"
                        )
            if entry is not None and self._observe(run, entry):
                return
            state = result.service_status or "not visible yet"
            self._pause(run, next(intervals), f"refresh {result.refresh_id} was still {state}")
            entry = None

    def _read(self, run: _Run) -> dict | None:
        refresh_id = run.result.refresh_id
        if self.refresh_type == "enhanced":
            response = self.transport.send("GET", f"{self.refreshes_url}/{refresh_id}", deadline=run.deadline)
            if response.status_code == 404:
                return None  # not visible yet
            if response.status_code not in (200, 202):
                raise self._refusal(response, f"read refresh {refresh_id}")
            body = response.json() if response.content else {}
            return body if isinstance(body, dict) else {}
        return next((entry for entry in self._history(run) if entry.get("requestId") == refresh_id), None)

    def _observe(self, run: _Run, entry: dict) -> bool:
        """Record one status read; True when the refresh has ended."""
        result = run.result
        result.polls += 1
        state = state_of(entry)
        if state != result.service_status:
            self.log.info("Power BI refresh %s: %s.", result.refresh_id, state)
        result.service_status = state
        result.started_at = parse_time(entry.get("startTime")) or result.started_at
        final = TERMINAL.get(state.lower())
        if final is None:
            return False  # Unknown, NotStarted, InProgress...: not done, whatever endTime says
        result.status = final
        result.ended_at = parse_time(entry.get("endTime"))
        if result.started_at and result.ended_at:
            result.duration_seconds = round((result.ended_at - result.started_at).total_seconds(), 3)
        problems = errors_of(entry)
        result.error_details = [f"{code}: {message}" if code else message for code, message in problems]
        if final != "completed":
            result.error_code, result.error_message = problems[0] if problems else (state, None)
            self.log.error("Power BI %s", result.summary())
        return True

    # -- helpers -----------------------------------------------------------------------------

    def _history(self, run: _Run) -> list[dict]:
        response = self.transport.send("GET", f"{self.refreshes_url}?$top={self.pacing.history_top}", deadline=run.deadline)
        if response.status_code != 200:
            raise self._refusal(response, "read the refresh history")
        value = response.json().get("value", [])
        return [entry for entry in value if isinstance(entry, dict)]

    def _pause(self, run: _Run, seconds: float, why: str) -> None:
        """Sleep `seconds`, or until the deadline; past the deadline raise `DeadlineReached(why)`."""
        remaining = run.deadline - self.clock()
        if remaining <= 0:
            raise DeadlineReached(why)
        self.sleep(min(seconds, remaining))

    def _refusal(self, response: requests.Response, action: str) -> ApiError:
        """The service refused `action` (a 4xx): its error code and message, and what to check."""
        status = response.status_code
        code, message = error_of(response)
        hint = {
            401: "the token was refused: check that the tenant setting 'Service principals can use Fabric APIs' covers this app",
            403: f"the service principal lacks access: add it to workspace {self.workspace_id} as Member or Admin",
            404: "not found, or not visible to the service principal: check CIP_POWERBI_WORKSPACE_ID and CIP_POWERBI_DATASET_ID",
        }.get(status, "")
        said = ": ".join(part for part in (code, message) if part) or "no details"
        text = f"Power BI refused to {action} for dataset {self.dataset_id}: HTTP {status} {said}" + (f" - {hint}" if hint else "")
        return ApiError(text, status=status, code=code, service_message=message)
