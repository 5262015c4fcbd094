"""The `cip` command line: run the pipeline, generate synthetic data, work with the warehouse."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from cip.console import fail, progress_bar, setup_logging, stdout
from cip.powerbi_cli import powerbi_app
from cip.sql_cli import sql_app
from core.errors import UserError
from core.progress import listening_with
from core.settings import load_settings
from warehouse.errors import ProcedureError

app = typer.Typer(help="Customer Intelligence Pipeline.", no_args_is_help=True, add_completion=False)
app.add_typer(sql_app, name="sql")
app.add_typer(powerbi_app, name="powerbi")
log = logging.getLogger("cip")


@app.command()
def run(
    input: list[Path] | None = typer.Option(None, "--input", "-i", help="Raw export file(s); default: the bundled real data set."),
    landing: bool = typer.Option(False, "--landing", help="Load the new files of the landing folder (CIP_LANDING_DIR) instead."),
    warehouse: str | None = typer.Option(None, "--warehouse", help="SQLAlchemy URL, e.g. duckdb:///.cip/warehouse.duckdb or mssql+pyodbc://..."),
    out: Path | None = typer.Option(None, "--out", help="Output folder for reports and extracts (default ./output)."),
) -> None:
    """Run the whole pipeline (the customer_intelligence Prefect flow) and print a short summary.

    Runs in this process with Prefect's ephemeral API unless PREFECT_API_URL points at a server;
    files loaded before (same content) are skipped."""
    if landing and input:
        fail("--landing loads the new files of the landing folder (CIP_LANDING_DIR), --input the files given; use one or the other.")
    try:
        settings = load_settings(inputs=input or None, warehouse_url=warehouse, output_dir=out)
        setup_logging(settings.log_level)
        logging.getLogger("httpx").setLevel(logging.WARNING)  # Prefect's API calls, one line each
        from flows.customer_intelligence import customer_intelligence
        from flows.load_warehouse import find_inputs
        from flows.parameters import PipelineParameters

        # every input checked as cleaning opens it (a file, its container by content, its header):
        # a bad one is its error and exit 2 before the flow starts - no Prefect output, nothing loaded
        find_inputs.fn(landing, settings)
        log.info("Warehouse: %s", _without_password(settings.resolved_warehouse_url))
        parameters = PipelineParameters(landing=landing, inputs=input or None, output_dir=out)
        with _warehouse_setting(warehouse), listening_with(progress_bar):
            result = customer_intelligence(parameters)
    except UserError as exc:
        fail(str(exc))
    except ProcedureError as exc:
        fail(str(exc), code=1, label="warehouse build failed")
    _print_summary(result)


@contextmanager
def _warehouse_setting(url: str | None) -> Iterator[None]:
    """--warehouse reaches the flow as CIP_WAREHOUSE_URL, not as a flow parameter: Prefect stores
    parameters, and the URL may hold a password."""
    if url is None:
        yield
        return
    previous = os.environ.get("CIP_WAREHOUSE_URL")
    os.environ["CIP_WAREHOUSE_URL"] = url
    try:
        yield
    finally:
        if previous is None:
            del os.environ["CIP_WAREHOUSE_URL"]
        else:
            os.environ["CIP_WAREHOUSE_URL"] = previous


def _print_summary(result) -> None:
    reports, load = result.reports, result.load
    if reports.figures.batch_id is None:  # nothing was ever loaded: no ledger, no marts to show
        where = "drop export files into the landing folder (CIP_LANDING_DIR)" if load.files == [] else "check the input files"
        stdout.print(f"[bold]The warehouse is empty:[/] no file has been loaded yet; {where}, or run cip run --input FILE.")
        stdout.print(f"Warehouse at {escape(_without_password(load.warehouse_url))}")
        _print_steps(result.steps)
        return
    _print_ledger(reports.ledger)
    for item in load.files:
        if item.loaded_before:
            stdout.print(f"{escape(item.path.name)}: already loaded by batch {item.batch_id} (same content), skipped")
    for item in load.loaded:
        sales = item.sales
        named = f" of {escape(item.path.name)}" if len(load.loaded) > 1 else ""
        stdout.print(
            f"\n[bold]Sales stream{named}:[/] {sales['rows']:,} rows, {sales['customers']:,} customers, "
            f"{sales['invoices']:,} invoices, revenue {sales['revenue']:,.2f}"
        )
    if load.loaded:
        stdout.print(f"Clean data in {load.clean_folder}, ledger in {reports.outputs[0]}")
    _print_warehouse(reports.figures, load.warehouse_url)
    _print_segments(reports.segments)
    stdout.print(f"[bold]Outputs written[/] (open the .html in a browser, the .pptx in PowerPoint): {len(result.outputs)} file(s)")
    for path in result.outputs:
        stdout.print(f"  {escape(str(path))}", highlight=False, soft_wrap=True)
    _print_steps(result.steps)


def _print_warehouse(figures, url: str) -> None:
    stdout.print(
        f"[bold]Warehouse:[/] batch {figures.batch_id}: dw.fact_sales {figures.fact_sales_rows:,} rows, "
        f"dw.fact_returns {figures.fact_returns_rows:,} rows, {figures.customers:,} customers, "
        f"{figures.products:,} products, {figures.countries:,} countries"
    )
    stdout.print(
        f"[bold]Marts:[/] {figures.rfm_customers:,} customers in the Single Customer View, "
        f"{figures.segments} RFM segments in use, {figures.cohorts} monthly cohort(s), as of {figures.as_of_date}"
    )
    stdout.print(f"Warehouse at {escape(_without_password(url))}")


def _print_segments(segments) -> None:
    table = Table(title="RFM segments (mart.single_customer_view)")
    for column in ("segment", "customers", "% customers", "revenue", "% revenue"):
        table.add_column(column, justify="left" if column == "segment" else "right")
    for row in segments.itertuples(index=False):
        table.add_row(escape(row.segment), f"{row.customers:,}", f"{row.customers_pct:.1f}", f"{row.revenue:,.2f}", f"{row.revenue_pct:.1f}")
    stdout.print(table)


def _print_steps(steps) -> None:
    table = Table(title="Steps")
    for column, justify in (("step", "left"), ("status", "left"), ("seconds", "right"), ("detail", "left")):
        table.add_column(column, justify=justify)
    for step in steps:
        table.add_row(escape(step.step), step.status, f"{step.seconds:.2f}", escape(step.detail))
    stdout.print(table)


def _without_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _print_ledger(ledger) -> None:
    from flows.customer_intelligence import ledger_balance

    table = Table(title="Cleaning ledger: every raw row has exactly one disposition")
    for column, justify in (
        ("batch", "right"),
        ("source", "left"),
        ("disposition", "left"),
        ("rule", "left"),
        ("rows", "right"),
        ("revenue", "right"),
    ):
        table.add_column(column, justify=justify)
    for row in ledger.itertuples(index=False):
        table.add_row(str(row.batch_id), escape(row.source), row.disposition, row.rule, f"{row.rows:,}", f"{row.revenue:,.2f}")
    stdout.print(table)
    stdout.print(ledger_balance(ledger))


@app.command()
def generate(
    rows: int = typer.Option(..., "--rows", min=1, help="Number of raw rows to write."),
    seed: int = typer.Option(0, "--seed", help="Same seed, same file."),
    out: Path = typer.Option(..., "--out", help="File to write; .gz compresses."),
    export_format: str = typer.Option("uci", "--format", help="uci, kaggle or ii (Online Retail II)."),
) -> None:
    """Write synthetic raw data shaped like the real set (same columns and quirk rates)."""
    from analytics.synthetic import generate as write_synthetic

    setup_logging()
    try:
        written = write_synthetic(rows, seed, out, export_format)
    except ValueError as exc:
        fail(str(exc))
    stdout.print(f"Wrote {written:,} rows to {out}")
