"""The whole pipeline: load new files -> warehouse reports -> analytics -> Power BI -> executive outputs.

    load_warehouse      ingest, clean, stage, build (flows/load_warehouse.py; runs alone too)
    warehouse_reports   the ledger, segment and cohort summaries read from the marts: artifacts
                        with stable keys and output/cleaning_ledger.csv
    run_analytics       product association rules, segment validation, churn risk and whales written to the
                        marts (analytics/marts/run.py); skipped when the data are too thin
    refresh_power_bi    flows/refresh_power_bi.py - the Power BI dataset refresh (msal + REST);
                        skipped, naming the missing CIP_POWERBI_* settings, when not configured
    write_executive_outputs  the deck, the HTML dashboard and the marketing extracts in the run's
                        output folder (executive/); thin data gives outputs that say what is missing

The warehouse part holds the pipeline lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

import warehouse
from analytics.errors import NotEnoughData
from analytics.marts.run import analyse_warehouse
from etl.lock import pipeline_lock
from etl.reports import WarehouseFigures, cohort_summary, current_ledger, segment_summary, warehouse_figures
from executive import outputs as executive
from executive.outputs import ExecutiveOutputs
from flows import artifacts
from flows.artifacts import ARTIFACT_KEYS
from flows.load_warehouse import LoadResult, load_warehouse
from flows.parameters import IO_RETRIES, PipelineParameters, StepOutcome, is_transient, timed
from flows.refresh_power_bi import refresh_power_bi

LEDGER_FILE = "cleaning_ledger.csv"


@dataclass
class WarehouseReports:
    ledger: pd.DataFrame
    figures: WarehouseFigures
    segments: pd.DataFrame
    cohorts: pd.DataFrame
    outputs: list[Path] = field(default_factory=list)


@dataclass
class PipelineRun:
    """What the run did, for `cip run`'s summary and the flow run's result."""

    load: LoadResult
    reports: WarehouseReports
    steps: list[StepOutcome]

    @property
    def outputs(self) -> list[Path]:
        return self.reports.outputs


@task(cache_policy=NO_CACHE, retry_condition_fn=is_transient, **IO_RETRIES)
def warehouse_reports(url: str, output_dir: Path) -> WarehouseReports:
    """Read the ledger, headline figures, segments and cohorts; write the ledger CSV; publish artifacts."""
    with warehouse.connect(url) as engine:
        reports = WarehouseReports(current_ledger(engine), warehouse_figures(engine), segment_summary(engine), cohort_summary(engine))
    output_dir.mkdir(parents=True, exist_ok=True)
    ledger_csv = output_dir / LEDGER_FILE
    reports.ledger.to_csv(ledger_csv, index=False)
    reports.outputs.append(ledger_csv)
    create_table_artifact(
        key=ARTIFACT_KEYS["ledger"], table=artifacts.table(reports.ledger, artifacts.LEDGER), description=ledger_balance(reports.ledger)
    )
    create_table_artifact(
        key=ARTIFACT_KEYS["segments"],
        table=artifacts.table(reports.segments, artifacts.SEGMENTS),
        description=f"RFM segments of {reports.figures.rfm_customers:,} customers as of {reports.figures.as_of_date} (mart.single_customer_view)",
    )
    create_table_artifact(
        key=ARTIFACT_KEYS["cohorts"],
        table=artifacts.table(reports.cohorts, artifacts.COHORTS),
        description="Monthly acquisition cohorts: share of the cohort buying 1, 3, 6 and 12 months later (mart.cohort_retention)",
    )
    return reports


@task(cache_policy=NO_CACHE, retry_condition_fn=is_transient, **IO_RETRIES)
def run_analytics(url: str) -> StepOutcome:
    """Product association rules, segment validation, churn risk and whales, written back to the marts."""
    logger = get_run_logger()
    with warehouse.connect(url) as engine:
        try:
            run = analyse_warehouse(engine)
        except NotEnoughData as reason:
            logger.warning("Analytics skipped, the data cannot support them yet: %s", reason)
            return StepOutcome("analytics", "skipped", 0.0, f"not enough data: {reason}")
    for line in run.summary_lines():
        logger.info("%s", line)
    create_markdown_artifact(
        key=ARTIFACT_KEYS["analytics"],
        markdown="\n".join(f"- {line}" for line in run.summary_lines()) + "\n",
        description=f"Analytics run {run.run_id}: product association rules, segment validation, churn and whales",
    )
    create_table_artifact(
        key=ARTIFACT_KEYS["rules"],
        table=artifacts.table(run.top_rules, artifacts.RULES),
        description="Top product association rules by lift (mart.product_association)",
    )
    detail = f"{run.rules:,} rules, churn AUC {run.churn_auc:.3f} (baseline {run.baseline_auc:.3f}), {run.whales:,} whales"
    return StepOutcome("analytics", "completed", 0.0, detail)


@task(cache_policy=NO_CACHE, retry_condition_fn=is_transient, **IO_RETRIES)
def write_executive_outputs(url: str, output_dir: Path) -> ExecutiveOutputs:
    """The executive deck, the HTML dashboard and the marketing extracts; an artifact with their paths."""
    with warehouse.connect(url) as engine:
        outputs = executive.write_executive_outputs(engine, output_dir)
    get_run_logger().info("Executive outputs: %s", ", ".join(str(path) for path in outputs.paths))
    create_markdown_artifact(
        key=ARTIFACT_KEYS["executive"],
        markdown=artifacts.executive_markdown(outputs),
        description="The executive deck, dashboard and marketing extracts of this run, and what they say",
    )
    return outputs


@flow(name="customer-intelligence")
def customer_intelligence(params: PipelineParameters = PipelineParameters()) -> PipelineRun:
    """Load new data, rebuild the warehouse, report, then analytics, Power BI and executive outputs."""
    logger = get_run_logger()
    settings = params.settings()
    url = settings.resolved_warehouse_url
    steps: list[StepOutcome] = []
    with pipeline_lock(url, wait_seconds=params.lock_wait_seconds, on_wait=logger.warning):
        load = load_warehouse(params)
        steps += load.steps
        with timed("warehouse reports", steps) as step:
            reports = warehouse_reports(url, settings.output_dir)
            step.detail = (
                f"{len(reports.segments)} segments, {len(reports.cohorts)} cohorts, ledger of {reports.ledger['source'].nunique()} source(s)"
            )
        with timed("analytics", steps) as step:
            outcome = run_analytics(url)
            step.status, step.detail = outcome.status, outcome.detail
        with timed("", steps) as step:
            outcome = refresh_power_bi()
            step.step, step.status, step.detail = outcome.step, outcome.status, outcome.detail
        with timed("executive outputs", steps) as step:
            written = write_executive_outputs(url, settings.output_dir)
            reports.outputs.extend(written.paths)
            step.detail = f"deck, dashboard and {len(written.extracts)} extract files in {settings.output_dir}"
    create_markdown_artifact(
        key=ARTIFACT_KEYS["run"], markdown=run_summary_markdown(load, reports, steps), description="What this run loaded, skipped and took"
    )
    create_link_artifact(
        key=ARTIFACT_KEYS["outputs"],
        link=artifacts.outputs_link(settings.output_dir),
        link_text=str(settings.output_dir.resolve()),
        description="The run's output files: " + ", ".join(path.name for path in reports.outputs),
    )
    return PipelineRun(load, reports, steps)


def ledger_balance(ledger: pd.DataFrame) -> str:
    """`rows in N = excluded a + return b + sale c  (balanced)` for a ledger table."""
    if ledger.empty:
        return "no rows cleaned yet: the warehouse holds no loaded file"
    totals = ledger.groupby("disposition")["rows"].sum().sort_index()
    parts = " + ".join(f"{disposition} {int(rows):,}" for disposition, rows in totals.items())
    return f"rows in {int(ledger['rows'].sum()):,} = {parts}  (balanced)"


def run_summary_markdown(load: LoadResult, reports: WarehouseReports, steps: list[StepOutcome]) -> str:
    figures = reports.figures
    lines = ["# Customer intelligence run", ""]
    for item in load.files:
        done = "already loaded, skipped" if item.loaded_before else "loaded"
        lines.append(f"- `{item.path.name}`: {done} (batch {item.batch_id}, SHA-256 `{item.content_hash[:12]}`)")
    if not load.files:
        lines.append("- no input files")
    lines += [
        "",
        f"Warehouse: {figures.fact_sales_rows:,} sale lines, {figures.fact_returns_rows:,} return lines, "
        f"{figures.customers:,} customers, {figures.rfm_customers:,} in the Single Customer View, "
        f"{figures.segments} segments, {figures.cohorts} cohorts, as of {figures.as_of_date}.",
        "",
        "| step | status | seconds | detail |",
        "|---|---|---:|---|",
    ]
    lines += [f"| {s.step} | {s.status} | {s.seconds:.2f} | {s.detail} |" for s in steps]
    return "\n".join(lines) + "\n"
