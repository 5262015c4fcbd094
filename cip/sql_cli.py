"""`cip sql`: deploy the warehouse's T-SQL and run its procedures and queries, on either engine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

import warehouse
from cip.console import fail, stdout
from core.errors import UserError
from core.settings import load_settings

sql_app = typer.Typer(
    help="Deploy sql/ and run procedures or queries on the warehouse (SQL Server or embedded DuckDB).",
    no_args_is_help=True,
    add_completion=False,
)
MAX_PRINTED_ROWS = 200

_WAREHOUSE_HELP = "SQLAlchemy URL, e.g. duckdb:///.cip/warehouse.duckdb or mssql+pyodbc://...; default from CIP_WAREHOUSE_URL."


@sql_app.command()
def deploy(
    warehouse_url: str | None = typer.Option(None, "--warehouse", help=_WAREHOUSE_HELP),
    sql_root: Path | None = typer.Option(None, "--sql-root", help="Folder holding schema/ and procedures/ (default: the project's sql/)."),
) -> None:
    """Deploy sql/schema then sql/procedures in dependency order (safe to re-run)."""
    with _engine(warehouse_url) as engine:
        deployed = engine.deploy(sql_root)
    stdout.print(f"Deployed {len(deployed)} file(s) to {escape(engine.url)}; existing objects were kept.")
    for name in deployed:
        stdout.print(f"  {escape(name)}", highlight=False)


@sql_app.command("exec")
def exec_procedure(
    procedure: str = typer.Argument(..., help="schema.Procedure, e.g. etl.StartBatch"),
    param: list[str] = typer.Option([], "--param", "-p", help="name=value (repeatable); the procedure's declared type converts the value."),
    warehouse_url: str | None = typer.Option(None, "--warehouse", help=_WAREHOUSE_HELP),
) -> None:
    """EXEC a procedure with named parameters; prints its result sets and return code."""
    with _engine(warehouse_url) as engine:
        result = engine.execute(procedure, **_parameters(param))
    for frame in result.result_sets:
        _print_frame(frame)
    stdout.print(f"{escape(procedure)} returned {result.return_code}")


@sql_app.command()
def query(
    sql: str = typer.Argument(..., help='One T-SQL statement, e.g. "SELECT TOP (5) * FROM etl.batch"'),
    warehouse_url: str | None = typer.Option(None, "--warehouse", help=_WAREHOUSE_HELP),
) -> None:
    """Run one T-SQL statement and print its rows as a table."""
    with _engine(warehouse_url) as engine:
        frame = engine.query(sql)
    _print_frame(frame)


def _parameters(pairs: list[str]) -> dict[str, str]:
    parameters = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator or not name.strip():
            fail(f"--param {pair!r}: write name=value, e.g. --param source=orders.csv")
        parameters[name.strip()] = value
    return parameters


@contextmanager
def _engine(url: str | None) -> Iterator[warehouse.Engine]:
    """Connect, and turn the engine's errors into one clear line: exit 2 for usage errors
    (bad URL, name, parameter, SQL outside the subset), 1 for errors raised while running."""
    try:
        resolved = url or load_settings().resolved_warehouse_url
        with warehouse.connect(resolved) as engine:
            yield engine
    except UserError as error:  # warehouse.UsageError is one
        fail(str(error))
    except warehouse.ProcedureError as error:
        fail(str(error), code=1)


def _print_frame(frame: pd.DataFrame) -> None:
    if frame.columns.empty:
        stdout.print("(no rows returned)")
        return
    table = Table(show_lines=False)
    for column in frame.columns:
        table.add_column(str(column), justify="right" if pd.api.types.is_numeric_dtype(frame[column]) else "left")
    for row in frame.head(MAX_PRINTED_ROWS).itertuples(index=False):
        table.add_row(*("NULL" if pd.isna(value) else escape(str(value)) for value in row))
    stdout.print(table)
    hidden = len(frame) - MAX_PRINTED_ROWS
    stdout.print(f"{len(frame):,} row(s)" + (f", first {MAX_PRINTED_ROWS} shown" if hidden > 0 else ""))
