"""The `cip` command line: run the pipeline, generate synthetic data, work with the warehouse."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Optional

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cip.console import setup_logging
from cip.errors import UserError
from cip.settings import Settings
from warehouse.errors import ProcedureError

from cip.sql_cli import sql_app

app = typer.Typer(help="Customer Intelligence Pipeline.", no_args_is_help=True, add_completion=False)
app.add_typer(sql_app, name="sql")
stdout = Console(width=None if sys.stdout.isatty() else 120)  # pipes and CI logs get full tables
log = logging.getLogger("cip")


def _settings(**overrides) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors())
        raise UserError(f"invalid setting - {problems}. Check the options, CIP_* variables and .env.") from exc


def _fail(exc: UserError) -> None:
    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
    raise typer.Exit(2)


@app.command()
def run(
    input: Optional[list[Path]] = typer.Option(None, "--input", "-i", help="Raw export file(s); default: the bundled real data set."),
    warehouse: Optional[str] = typer.Option(None, "--warehouse", help="SQLAlchemy URL, e.g. duckdb:///.cip/warehouse.duckdb or mssql+pyodbc://..."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output folder for reports and extracts (default ./output)."),
) -> None:
    """Run the whole pipeline and print a short summary."""
    from flows.pipeline import run_pipeline

    try:
        settings = _settings(inputs=input or None, warehouse_url=warehouse, output_dir=out)
        setup_logging(settings.log_level)
        log.info("Warehouse: %s", settings.resolved_warehouse_url)
        result = run_pipeline(
            settings.inputs, settings.work_dir, settings.output_dir, settings.chunk_rows, settings.resolved_warehouse_url
        )
    except UserError as exc:
        _fail(exc)
    except ProcedureError as exc:
        Console(stderr=True, soft_wrap=True).print(f"[bold red]warehouse build failed:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(1)
    _print_ledger(result.cleaned.ledger)
    sales = result.sales
    stdout.print(
        f"\n[bold]Sales stream:[/] {sales['rows']:,} rows, {sales['customers']:,} customers, "
        f"{sales['invoices']:,} invoices, revenue {sales['revenue']:,.2f}"
    )
    stdout.print(f"Clean data in {result.cleaned.folder}, ledger in {result.ledger_csv}")
    _print_warehouse(result.build, result.warehouse_url)


def _print_warehouse(build, url: str) -> None:
    stdout.print(
        f"[bold]Warehouse:[/] batch {build.batch_id}: dw.fact_sales {build.fact_sales_rows:,} rows, "
        f"dw.fact_returns {build.fact_returns_rows:,} rows, {build.customers:,} customers, "
        f"{build.products:,} products, {build.countries:,} countries"
    )
    stdout.print(
        f"[bold]Marts:[/] {build.rfm_customers:,} customers in the Single Customer View, "
        f"{build.segments} RFM segments in use, {build.cohorts} monthly cohort(s), as of {build.as_of_date}"
    )
    stdout.print(f"Warehouse at {escape(_without_password(url))}")


def _without_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _print_ledger(ledger) -> None:
    table = Table(title="Cleaning ledger: every raw row has exactly one disposition")
    for column, justify in (("source", "left"), ("disposition", "left"), ("rule", "left"), ("rows", "right"), ("revenue", "right")):
        table.add_column(column, justify=justify)
    for row in ledger.table().itertuples(index=False):
        table.add_row(row.source, row.disposition, row.rule, f"{row.rows:,}", f"{row.revenue:,.2f}")
    stdout.print(table)
    totals = ledger.totals()
    parts = " + ".join(f"{d} {int(totals.loc[d, 'rows']):,}" for d in totals.index)
    stdout.print(f"rows in {sum(ledger.rows_in.values()):,} = {parts}  (balanced)")


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
        _fail(UserError(str(exc)))
    stdout.print(f"Wrote {written:,} rows to {out}")
