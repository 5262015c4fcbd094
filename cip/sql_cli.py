"""`cip sql`: deploy the warehouse's T-SQL and run its procedures and queries, on either engine."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd
import typer
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

import warehouse
from cip.console import error_console, fail, stdout
from core.errors import UserError
from core.settings import load_settings
from etl.lock import pipeline_run_holding

sql_app = typer.Typer(
    help="Deploy sql/ and run procedures or queries on the warehouse (SQL Server or embedded DuckDB).",
    no_args_is_help=True,
    add_completion=False,
)
MAX_PRINTED_ROWS = 200  # table and vertical output; csv and json write every row
# etl.lock.pipeline_lock writes who holds a DuckDB warehouse beside it, e.g.
# `process 123 on host since 2026-12-01 10:00:00 UTC`; the lock (and this file) end with the run.

_WAREHOUSE_HELP = "SQLAlchemy URL, e.g. duckdb:///.cip/warehouse.duckdb or mssql+pyodbc://...; default from CIP_WAREHOUSE_URL."


class OutputFormat(StrEnum):
    table = "table"
    vertical = "vertical"
    csv = "csv"
    json = "json"


@sql_app.command()
def deploy(
    warehouse_url: str | None = typer.Option(None, "--warehouse", help=_WAREHOUSE_HELP),
    sql_root: Path | None = typer.Option(None, "--sql-root", help="Folder holding schema/ and procedures/ (default: the project's sql/)."),
) -> None:
    """Deploy sql/schema then sql/procedures in dependency order (safe to re-run); creates a new DuckDB file."""
    with _engine(warehouse_url, create=True) as engine:
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
        _print_table(frame)
    stdout.print(f"{escape(procedure)} returned {result.return_code}")


@sql_app.command()
def query(
    sql: str = typer.Argument(..., help='One T-SQL statement, e.g. "SELECT TOP (5) * FROM etl.batch"'),
    warehouse_url: str | None = typer.Option(None, "--warehouse", help=_WAREHOUSE_HELP),
    output_format: OutputFormat = typer.Option(
        OutputFormat.table,
        "--format",
        "-f",
        case_sensitive=False,
        help="table (too wide a result becomes vertical), vertical (a 'column: value' block per row), "
        "csv or json (only the rows on stdout; NULL is empty / null).",
    ),
) -> None:
    """Run one T-SQL statement and print its rows (a table by default)."""
    with _engine(warehouse_url) as engine:
        frame = engine.query(sql)
    if output_format is OutputFormat.csv:
        _write_machine_readable(frame, _csv)
    elif output_format is OutputFormat.json:
        _write_machine_readable(frame, _json)
    elif output_format is OutputFormat.vertical:
        _print_vertical(frame)
    else:
        _print_table(frame)


def _parameters(pairs: list[str]) -> dict[str, str]:
    parameters = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator or not name.strip():
            fail(f"--param {pair!r}: write name=value, e.g. --param source=orders.csv")
        parameters[name.strip()] = value
    return parameters


@contextmanager
def _engine(url: str | None, *, create: bool = False) -> Iterator[warehouse.Engine]:
    """Connect, and turn the engine's errors into one clear line: exit 2 for usage errors
    (bad URL, missing or busy warehouse, name, parameter, SQL the engine refuses), 1 for errors
    raised while running. Only deploy creates a DuckDB file; queries and EXECs never do."""
    try:
        resolved = url or load_settings().resolved_warehouse_url
        with warehouse.connect(resolved, create=create) as engine:
            yield engine
    except warehouse.WarehouseMissing as error:
        fail(f"no warehouse at {error.path}: run `cip run` or `cip sql deploy` to create it, or check --warehouse / CIP_WAREHOUSE_URL")
    except warehouse.WarehouseBusy as error:
        holder = pipeline_run_holding(Path(error.path), error.pid)
        fail(f"the warehouse {error.path} is busy: a pipeline run holds it ({holder}); try again when it has finished" if holder else str(error))
    except UserError as error:  # warehouse.UsageError is one
        fail(str(error))
    except warehouse.ProcedureError as error:
        fail(error.detail, code=1, label=error.heading)


# -- output ------------------------------------------------------------------------------------
def _note(message: str) -> None:
    """A remark about the output, on stderr, so stdout holds only the results."""
    error_console.print(f"[dim]note:[/] {escape(message)}", highlight=False)


def _footer(frame: pd.DataFrame) -> str:
    hidden = len(frame) - MAX_PRINTED_ROWS
    return f"{len(frame):,} row(s)" + (f", first {MAX_PRINTED_ROWS} shown" if hidden > 0 else "")


def _print_table(frame: pd.DataFrame) -> None:
    """A table that fits the output's width; a result too wide for one becomes vertical blocks,
    with a note on stderr, rather than a table of squeezed `...` cells."""
    if frame.columns.empty:
        stdout.print("(no rows returned)")
        return
    shown = frame.head(MAX_PRINTED_ROWS)
    table = Table(show_lines=False)
    for position, column in enumerate(frame.columns):
        table.add_column(Text(str(column)), justify="right" if _numeric(shown.iloc[:, position]) else "left")
    for row in shown.itertuples(index=False):
        table.add_row(*(Text("NULL" if (text := _text(value)) is None else text) for value in row))
    needed = Measurement.get(stdout, stdout.options.update(max_width=1_000_000), table).minimum
    if needed > stdout.width:
        _note(
            f"the {len(frame.columns)} columns need {needed} characters and the output is {stdout.width} wide, "
            "so each row is shown as a block (--format vertical); select fewer columns for a table, or use --format csv or json"
        )
        _print_vertical(frame)
        return
    stdout.print(table)
    stdout.print(_footer(frame))


def _numeric(values: pd.Series) -> bool:
    """Numbers, Decimals included (a DECIMAL column is of object dtype): right-aligned."""
    present = [value for value in map(_plain, values) if value is not None]
    return bool(present) and all(isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool) for value in present)


def _print_vertical(frame: pd.DataFrame) -> None:
    """One block per row, a `column: value` line per column (psql's \\x, MySQL's \\G)."""
    if frame.columns.empty:
        stdout.print("(no rows returned)")
        return
    names = [str(column) for column in frame.columns]
    width = max(len(name) for name in names) + 1
    lines = []
    for number, row in enumerate(frame.head(MAX_PRINTED_ROWS).itertuples(index=False), start=1):
        lines.append(f"-[ row {number} ]" + "-" * max(3, width + 8 - len(str(number))))
        for name, value in zip(names, row, strict=True):
            text = _text(value)
            text = "NULL" if text is None else text.replace("\n", "\n" + " " * (width + 1))
            lines.append(f"{name + ':':<{width}} {text}")
    for line in lines:
        stdout.print(line, markup=False, highlight=False, emoji=False, soft_wrap=True)
    stdout.print(_footer(frame))


def _write_machine_readable(frame: pd.DataFrame, write: Callable[[pd.DataFrame], Iterator[str]]) -> None:
    """Every row on stdout and nothing else; the row count goes to stderr."""
    try:
        for chunk in write(frame):
            sys.stdout.write(chunk)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped (`| head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None
    _note(f"{len(frame):,} row(s)" if not frame.columns.empty else "the statement returned no rows")


def _csv(frame: pd.DataFrame) -> Iterator[str]:
    """A header line, then one line per row; NULL is an empty field."""
    if frame.columns.empty:
        return
    buffer = _Lines()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([str(column) for column in frame.columns])
    yield buffer.take()
    for row in frame.itertuples(index=False):
        writer.writerow(["" if (text := _text(value)) is None else text for value in row])
        yield buffer.take()


def _json(frame: pd.DataFrame) -> Iterator[str]:
    """A JSON array of one object per row; NULL is null, decimals are exact JSON numbers."""
    names = [json.dumps(str(column), ensure_ascii=False) for column in frame.columns]
    yield "["
    for position, row in enumerate(frame.itertuples(index=False)):
        fields = ", ".join(f"{name}: {_json_value(value)}" for name, value in zip(names, row, strict=True))
        yield ("," if position else "") + "\n  {" + fields + "}"
    yield "\n]\n" if len(frame) else "]\n"


class _Lines:
    """What csv.writer writes, taken line by line."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


def _plain(value: object) -> object:
    """A driver or pandas value as a plain Python value; None for NULL."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _text(value: object) -> str | None:
    value = _plain(value)
    return None if value is None else str(value)


def _json_value(value: object) -> str:
    value = _plain(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return str(value) if value.is_finite() else "null"
    if isinstance(value, float):
        return json.dumps(value) if math.isfinite(value) else "null"
    if isinstance(value, (dt.date, dt.time)):  # datetimes (and pandas Timestamps) are dates
        return json.dumps(value.isoformat())
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_json_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)}: {_json_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value), ensure_ascii=False)
