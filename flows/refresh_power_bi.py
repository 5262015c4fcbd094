"""Refresh the Power BI semantic model that reads the marts (the client: powerbi/, msal + requests).

Configured by CIP_POWERBI_* settings (docs/powerbi_refresh.md): tenant, client id, secret,
workspace and dataset. With any of them missing the flow is skipped, naming the missing ones -
it never pretends a refresh happened. Otherwise one task triggers the refresh, waits for its
outcome (bounded by CIP_POWERBI_REFRESH_TIMEOUT_SECONDS) and publishes it as the artifact
`power-bi-refresh`; a refresh that did not complete (failed, cancelled, disabled, timed out, or
could not be triggered) fails the task, and with it this flow run and the main flow's run.

Before it triggers anything, the task holds the semantic model (powerbi/) against the warehouse
(CIP_WAREHOUSE_URL): a model column the warehouse lacks would fail the refresh in the service,
and a warehouse column the model lacks would be silently left out, so either stops the run here
with the column named and nothing triggered.

The task has no Prefect retries: the client retries the calls itself (429, 5xx, connection
errors), and retrying the task would trigger a second refresh.
"""

from __future__ import annotations

import time

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

import warehouse
from core.settings import Settings, load_settings
from flows.parameters import StepOutcome
from powerbi.refresh import PowerBIError, RefreshResult, client_from_settings, is_configured, not_configured_message
from powerbi.validate import Problem, model_vs_warehouse
from warehouse.errors import WarehouseError

ARTIFACT_KEY = "power-bi-refresh"
STEP = "power bi refresh"


class RefreshFailed(Exception):
    """The Power BI refresh did not complete; the message carries the service's error."""


@task(name="refresh-power-bi-dataset", cache_policy=NO_CACHE)
def refresh_dataset() -> RefreshResult:
    """Check the model against the warehouse, trigger the refresh, wait for it, publish the
    outcome; raise unless it completed."""
    logger = get_run_logger()
    settings = load_settings()
    mismatches = model_mismatches(settings, logger)
    if mismatches:
        listed = "\n".join(f"- {problem}" for problem in mismatches)
        create_markdown_artifact(
            key=ARTIFACT_KEY,
            markdown=f"# Power BI refresh: not triggered\n\nThe semantic model does not match the warehouse:\n\n{listed}\n",
            description=f"Power BI refresh not triggered: the model does not match the warehouse ({len(mismatches)} problem(s))",
        )
        raise RefreshFailed(
            f"Power BI refresh not triggered: the semantic model (powerbi/) does not match the warehouse - change the "
            f"model or the warehouse so they agree (cip powerbi validate lists the same):\n{listed}"
        )
    client = client_from_settings(settings, logger=logger)
    try:
        result = client.refresh()
    except PowerBIError as error:
        create_markdown_artifact(
            key=ARTIFACT_KEY,
            markdown=f"# Power BI refresh: error\n\nDataset `{settings.powerbi_dataset_id}` in workspace "
            f"`{settings.powerbi_workspace_id}` ({settings.powerbi_refresh_type}):\n\n{_cell(str(error))}\n",
            description=f"Power BI refresh could not be completed: {error}"[:500],
        )
        raise RefreshFailed(f"Power BI refresh of dataset {settings.powerbi_dataset_id} could not be completed: {error}") from error
    create_markdown_artifact(key=ARTIFACT_KEY, markdown=result_markdown(result), description=result.summary()[:500])
    if not result.ok:
        raise RefreshFailed(f"Power BI {result.summary()}" + "".join(f"\n- {detail}" for detail in result.error_details[1:]))
    logger.info("Power BI %s.", result.summary())
    return result


@flow(name="refresh-power-bi")
def refresh_power_bi() -> StepOutcome:
    """Refresh the Power BI dataset over REST; skipped (with the missing settings named) when not configured."""
    settings = load_settings()
    if not is_configured(settings):
        reason = not_configured_message(settings)
        get_run_logger().warning("Power BI refresh skipped: %s.", reason)
        return StepOutcome(STEP, "skipped", 0.0, reason)
    started = time.perf_counter()
    result = refresh_dataset()
    return StepOutcome(STEP, "completed", round(time.perf_counter() - started, 2), result.summary())


def model_mismatches(settings: Settings, logger) -> list[Problem]:
    """The model-vs-warehouse problems; [] when they agree or when the warehouse cannot be read
    from here (then the service's refresh is the judge, and the log says why we did not check)."""
    url = settings.resolved_warehouse_url
    if not settings.warehouse_url and not settings.default_warehouse_file.is_file():
        logger.warning("Model not checked against the warehouse: no warehouse at %s yet.", settings.default_warehouse_file)
        return []
    try:
        with warehouse.connect(url) as engine:
            return model_vs_warehouse(engine)
    except WarehouseError as error:
        logger.warning("Model not checked against the warehouse: %s", error)
        return []


def result_markdown(result: RefreshResult) -> str:
    def when(moment) -> str:
        return moment.isoformat(timespec="seconds") if moment else ""

    rows = [
        ("status", result.status),
        ("service status", result.service_status or ""),
        ("refresh type", result.refresh_type),
        ("refresh id", result.refresh_id or ""),
        ("workspace", result.workspace_id),
        ("dataset", result.dataset_id),
        ("requested at (UTC)", when(result.requested_at)),
        ("started at (UTC)", when(result.started_at)),
        ("ended at (UTC)", when(result.ended_at)),
        ("duration (s)", "" if result.duration_seconds is None else f"{result.duration_seconds:.1f}"),
        ("error", ": ".join(part for part in (result.error_code, result.error_message) if part)),
        ("waited for running refreshes", ", ".join(result.waited_for) + (f" ({result.waited_seconds:.0f} s)" if result.waited_for else "")),
        ("triggers / polls / HTTP calls", f"{result.triggers} / {result.polls} / {result.http_calls}"),
        ("note", result.note),
    ]
    lines = [f"# Power BI refresh: {result.status}", "", "| | |", "|---|---|"]
    lines += [f"| {name} | {_cell(value)} |" for name, value in rows if value]
    if result.error_details:
        lines += ["", "Service messages:", ""] + [f"- {_cell(detail)}" for detail in result.error_details]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
