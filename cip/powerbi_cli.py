"""`cip powerbi`: check the Power BI project offline and refresh the dataset on demand."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

import warehouse
from cip.console import fail, stdout
from core.errors import UserError
from core.settings import load_settings

powerbi_app = typer.Typer(help="The Power BI project (powerbi/): offline checks and the dataset refresh.", no_args_is_help=True, add_completion=False)


@powerbi_app.command()
def validate(
    warehouse_url: str | None = typer.Option(
        None, "--warehouse", help="Compare the model with this warehouse; default: CIP_WAREHOUSE_URL, or sql/ deployed into memory."
    ),
    schema_dir: Path | None = typer.Option(
        None, "--schema-dir", help="Folder holding Microsoft's fabric/ JSON schemas; default CIP_POWERBI_SCHEMA_DIR."
    ),
    project_dir: Path | None = typer.Option(None, "--project", help="The PBIP folder (default: the project's powerbi/)."),
) -> None:
    """Validate every PBIR/PBIP JSON file against Microsoft's schemas, check the TMDL model (DAX and
    M parse, relationships, RLS, one partition per table...) and every visual's fields, and compare
    the model's tables and columns with the warehouse. Exit 1 when anything is wrong."""
    from core.paths import POWERBI_PROJECT
    from powerbi.validate import validate as validate_project

    try:
        settings = load_settings()
    except UserError as error:
        fail(str(error))
    url, described = _warehouse_to_compare(warehouse_url, settings)
    try:
        with warehouse.connect(url, create=url == _IN_MEMORY) as engine:
            if url == _IN_MEMORY:
                engine.deploy()
            result = validate_project(project_dir or POWERBI_PROJECT, schema_dir or settings.powerbi_schema_dir, engine)
    except FileNotFoundError as error:
        fail(str(error))
    except warehouse.WarehouseError as error:
        fail(f"cannot compare with the warehouse {described}: {error}")
    for check, problems in result.problems.items():
        mark = "[green]ok[/]" if not problems else f"[red]{len(problems)} problem(s)[/]"
        stdout.print(f"{escape(check)}: {mark}")
        for problem in problems:
            stdout.print(f"  {escape(str(problem))}", highlight=False, soft_wrap=True)
    stdout.print(f"Compared with: {escape(described)}")
    if not result.ok:
        raise typer.Exit(1)


_IN_MEMORY = "duckdb:///:memory:"


def _warehouse_to_compare(url: str | None, settings) -> tuple[str, str]:
    """An explicit or configured warehouse; the default DuckDB file only when it exists (else the
    project's sql/ deployed into memory, which is what the next run would create)."""
    if url:
        return url, url
    if settings.warehouse_url:
        return settings.warehouse_url, "CIP_WAREHOUSE_URL"
    if settings.default_warehouse_file.is_file():
        return settings.resolved_warehouse_url, str(settings.default_warehouse_file)
    return _IN_MEMORY, "sql/ deployed into an in-memory DuckDB (no warehouse file yet)"


@powerbi_app.command()
def refresh() -> None:
    """Refresh the Power BI dataset now (the refresh-power-bi flow, as the power-bi-refresh
    deployment runs it): CIP_POWERBI_* settings, docs/powerbi_refresh.md. Exit 1 unless it
    completed; 2 when a CIP_POWERBI_* setting is missing or invalid (then nothing is started)."""
    from flows.refresh_power_bi import refresh_power_bi
    from powerbi.refresh import is_configured, not_configured_message

    try:
        settings = load_settings()  # an invalid CIP_* value: one line naming it, before Prefect starts
    except UserError as error:
        fail(str(error))
    if not is_configured(settings):
        fail(not_configured_message(settings))
    state = refresh_power_bi(return_state=True)
    if not state.is_completed():
        fail(f"Power BI refresh {state.name.lower()}: {state.message or ''}", code=1)
    outcome = state.result()
    stdout.print(f"Power BI refresh {outcome.status}: {escape(outcome.detail)}")
