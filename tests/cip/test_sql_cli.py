"""`cip sql` deploy / exec / query against a DuckDB file, through typer's CliRunner."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal

import pytest
from typer.testing import CliRunner

import warehouse
from analytics.cleaning.clean_exports import clean_exports
from cip.sql_cli import sql_app
from core.paths import PROJECT_ROOT
from etl.load import load_batch
from tests.analytics.raw_fixtures import ONLINE_RETAIL, TYPED_ROWS, write_csv

runner = CliRunner()
# the README's query (a few columns of the Single Customer View) and the one it had before (all 23)
README_WIDE_QUERY = "SELECT TOP 5 * FROM mart.single_customer_view ORDER BY monetary DESC"
README_QUERY = "SELECT TOP 5 customer_id, country, segment, frequency, monetary\n    FROM mart.single_customer_view ORDER BY monetary DESC"


@pytest.fixture(scope="module")
def warehouse_url(tmp_path_factory) -> str:
    url = f"duckdb:///{(tmp_path_factory.mktemp('cli') / 'warehouse.duckdb').as_posix()}"
    result = runner.invoke(sql_app, ["deploy", "--warehouse", url])
    assert result.exit_code == 0, result.output
    assert "schema/etl/batch.sql" in result.output
    return url


@pytest.fixture(scope="module")
def loaded_url(warehouse_url, tmp_path_factory) -> str:
    """The CLI's warehouse with a small batch built: four customers in the Single Customer View."""
    tmp = tmp_path_factory.mktemp("small")
    cleaned = clean_exports([write_csv(TYPED_ROWS, tmp / "drop.csv", ONLINE_RETAIL)], tmp / "clean")
    with warehouse.connect(warehouse_url) as engine:
        load_batch(engine, cleaned, cleaned.ledger.table())
    return warehouse_url


def expected_rows(url: str, sql: str) -> list[dict]:
    with warehouse.connect(url, create=False) as engine:
        return engine.query(sql).to_dict("records")


def test_deploy_again_keeps_existing_objects(warehouse_url):
    result = runner.invoke(sql_app, ["deploy", "--warehouse", warehouse_url])
    assert result.exit_code == 0, result.output
    assert "schema/etl/batch.sql" not in result.output
    assert "procedures/etl/StartBatch.sql" in result.output


def test_exec_prints_the_result_set_and_return_code(warehouse_url):
    result = runner.invoke(
        sql_app,
        ["exec", "etl.StartBatch", "--param", "source=cli.csv", "--param", "started_at=2011-12-09 12:50:00", "--warehouse", warehouse_url],
    )
    assert result.exit_code == 0, result.output
    assert "cli.csv" in result.output and "running" in result.output
    assert "etl.StartBatch returned 0" in result.output


def test_query_prints_a_table(warehouse_url):
    result = runner.invoke(sql_app, ["query", "SELECT source, status FROM etl.batch WHERE source = N'cli.csv';", "--warehouse", warehouse_url])
    assert result.exit_code == 0, result.output
    assert "cli.csv" in result.output and "1 row(s)" in result.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["exec", "etl.NoSuchProcedure"], "Could not find stored procedure"),
        (["exec", "etl.FinishBatch", "--param", "batch_id"], "write name=value"),
        (["exec", "etl.FinishBatch", "--param", "batch_id=abc"], "@batch_id"),
        (["exec", "etl.FinishBatch", "--param", "nope=1"], "@nope is not a parameter"),
        (["query", "SELECT ISNULL(NULL, 1) AS x;"], "COALESCE"),
        (["query", "SELECT * FROM stg.missing_table;"], "missing_table"),
    ],
)
def test_user_errors_print_one_line_and_exit_2(warehouse_url, arguments, message):
    result = runner.invoke(sql_app, [*arguments, "--warehouse", warehouse_url])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_bad_url_is_a_usage_error():
    result = runner.invoke(sql_app, ["query", "SELECT 1 AS x;", "--warehouse", "sqlite:///x.db"])
    assert result.exit_code == 2
    assert "unsupported warehouse URL" in result.output


def test_an_error_thrown_by_a_procedure_exits_1_with_its_number(warehouse_url):
    result = runner.invoke(sql_app, ["exec", "etl.FinishBatch", "--param", "batch_id=424242", "--warehouse", warehouse_url])
    assert result.exit_code == 1
    assert "error 50005" in result.output


# -- a warehouse that is missing or busy ------------------------------------------------------
@pytest.mark.parametrize("arguments", [["query", "SELECT 1 AS x;"], ["exec", "etl.StartBatch", "--param", "source=x.csv"]])
def test_a_query_on_a_missing_duckdb_file_creates_nothing_and_says_what_to_do(tmp_path, arguments):
    path = tmp_path / "wharehouse.duckdb"  # mistyped
    result = runner.invoke(sql_app, [*arguments, "--warehouse", f"duckdb:///{path.as_posix()}"])
    assert result.exit_code == 2, result.output
    assert result.output.strip() == (
        f"error: no warehouse at {path}: run `cip run` or `cip sql deploy` to create it, or check --warehouse / CIP_WAREHOUSE_URL"
    )
    assert not path.exists()


# a pipeline run as etl.lock has it: the pipeline lock (and its holder file) and the DuckDB file open
HOLD_AS_A_PIPELINE_RUN = """
import sys, time
import warehouse
from etl.lock import pipeline_lock
with pipeline_lock(sys.argv[1]), warehouse.connect(sys.argv[1]):
    print("ready", flush=True)
    time.sleep(120)
"""
# any other process with the DuckDB file open
HOLD_OPEN = """
import sys, time
import duckdb
connection = duckdb.connect(sys.argv[1])
print("ready", flush=True)
time.sleep(120)
"""


def query_while_held(path, holder_code: str):
    holder = subprocess.Popen(
        [sys.executable, "-c", holder_code, f"duckdb:///{path.as_posix()}" if "pipeline_lock" in holder_code else str(path)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready", holder.stderr.read()
        return holder.pid, runner.invoke(sql_app, ["query", "SELECT 1 AS x;", "--warehouse", f"duckdb:///{path.as_posix()}"])
    finally:
        holder.kill()
        holder.wait()


def test_a_query_while_a_pipeline_run_holds_the_warehouse_says_which_run_in_one_line(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    pid, result = query_while_held(path, HOLD_AS_A_PIPELINE_RUN)
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert line.startswith(f"error: the warehouse {path} is busy: a pipeline run holds it (process {pid} on "), line
    assert line.endswith("UTC); try again when it has finished")
    assert "\n" not in line and "Traceback" not in line and "Could not set lock" not in line


def test_a_query_while_another_process_holds_the_warehouse_names_that_process_not_a_stale_run(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    # a pipeline run killed without cleaning up left its holder file behind
    (tmp_path / "warehouse.duckdb.lock.holder").write_text(
        f"process 1 on {__import__('socket').gethostname()} since 2026-12-01 10:00:00 UTC", encoding="utf-8"
    )
    pid, result = query_while_held(path, HOLD_OPEN)
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert line.startswith(f"error: the warehouse {path} is busy: another process has it open (PID {pid}, "), line
    assert "pipeline run" not in line and "\n" not in line


# -- errors in the SQL ---------------------------------------------------------------------------
def test_a_statement_that_does_not_parse_says_where_in_plain_words(warehouse_url):
    result = runner.invoke(sql_app, ["query", "SELECT * FROM etl.batch WHERE", "--warehouse", warehouse_url])
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert line.startswith("error: line 1: the statement could not be parsed: it ends after 'WHERE', which needs more; check ")
    assert "\n" not in line and "sqlglot" not in line and "<class" not in line


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ("SELECT nosuch_column FROM etl.batch;", 'column "nosuch_column" not found'),
        ("SELECT * FROM etl.nosuch_table;", "nosuch_table does not exist"),
        ("SELECT nosuch_function(1) AS x;", "nosuch_function does not exist"),
    ],
)
def test_an_unknown_column_table_or_function_is_one_usage_error_line(warehouse_url, sql, named):
    result = runner.invoke(sql_app, ["query", sql, "--warehouse", warehouse_url])
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert named in line and line.startswith("error: ") and line.count("error") == 1 and "\n" not in line


def test_an_error_while_a_query_runs_exits_1(warehouse_url):
    result = runner.invoke(sql_app, ["query", "SELECT 1 / 0 AS x;", "--warehouse", warehouse_url])
    assert result.exit_code == 1, result.output
    assert result.output.strip() == "error 8134: Invalid Input Error: Divide by zero error encountered."


def test_a_shared_check_speaks_in_the_name_of_the_procedure_run(warehouse_url):
    result = runner.invoke(sql_app, ["exec", "etl.BuildWarehouse", "--warehouse", warehouse_url])
    assert result.exit_code == 1, result.output
    assert result.output.strip() == "error 50101 in etl.BuildWarehouse: @batch_id is required."


# -- output formats ------------------------------------------------------------------------------
def as_text(value) -> str | None:
    return None if value is None else str(value)


def vertical_blocks(output: str) -> list[dict[str, str]]:
    blocks: list[dict[str, str]] = []
    for line in output.splitlines():
        if line.startswith("-[ row "):
            blocks.append({})
        elif blocks and ": " in line:
            name, value = line.split(":", 1)
            blocks[-1][name] = value.strip()
    return blocks


def test_the_readme_query_prints_a_table_that_fits(loaded_url):
    result = runner.invoke(sql_app, ["query", README_QUERY, "--warehouse", loaded_url])
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout and "..." not in result.stdout
    header = next(line for line in result.stdout.splitlines() if "customer_id" in line)
    assert all(name in header for name in ("customer_id", "country", "segment", "frequency", "monetary"))
    for row in expected_rows(loaded_url, README_QUERY):
        assert any(str(row["customer_id"]) in line and str(row["monetary"]) in line for line in result.stdout.splitlines())
    assert result.stdout.strip().endswith("4 row(s)")
    assert result.stderr == ""


def test_a_result_too_wide_for_a_table_is_shown_as_vertical_blocks_with_a_note(loaded_url):
    result = runner.invoke(sql_app, ["query", README_WIDE_QUERY, "--warehouse", loaded_url])
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout and "..." not in result.stdout
    assert "23 columns" in result.stderr and "--format vertical" in result.stderr
    expected = [{name: as_text(value) or "NULL" for name, value in row.items()} for row in expected_rows(loaded_url, README_WIDE_QUERY)]
    assert len(expected) == 4 and len(expected[0]) == 23
    assert vertical_blocks(result.stdout) == expected
    assert result.stdout.strip().endswith("4 row(s)")


def test_format_vertical_prints_one_block_per_row(loaded_url):
    result = runner.invoke(sql_app, ["query", README_QUERY, "--warehouse", loaded_url, "--format", "vertical"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("-[ row 1 ]") and lines[1].startswith("customer_id: ")
    expected = [{name: as_text(value) or "NULL" for name, value in row.items()} for row in expected_rows(loaded_url, README_QUERY)]
    assert vertical_blocks(result.stdout) == expected


def test_format_csv_writes_only_the_rows_to_stdout_with_null_as_empty(loaded_url):
    result = runner.invoke(sql_app, ["query", README_WIDE_QUERY, "--warehouse", loaded_url, "--format", "csv"])
    assert result.exit_code == 0, result.output
    expected = expected_rows(loaded_url, README_WIDE_QUERY)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows == [{name: as_text(value) or "" for name, value in row.items()} for row in expected]
    assert any(value is None for row in expected for value in row.values())  # NULLs were written as empty
    assert result.stderr.strip() == "note: 4 row(s)"


def test_format_json_writes_an_array_of_rows_with_exact_decimals_and_null(loaded_url):
    result = runner.invoke(sql_app, ["query", README_WIDE_QUERY, "--warehouse", loaded_url, "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout, parse_float=Decimal)

    def as_json(value):
        return value.isoformat() if hasattr(value, "isoformat") else value

    assert rows == [{name: as_json(value) for name, value in row.items()} for row in expected_rows(loaded_url, README_WIDE_QUERY)]
    assert rows[0]["monetary"] == Decimal("36.0000") and rows[0]["churn_probability"] is None
    assert result.stderr.strip() == "note: 4 row(s)"


def test_machine_readable_formats_of_a_statement_without_rows(warehouse_url):
    sql = "SELECT batch_id, source FROM etl.batch WHERE 1 = 0;"
    as_csv = runner.invoke(sql_app, ["query", sql, "--warehouse", warehouse_url, "--format", "csv"])
    as_json = runner.invoke(sql_app, ["query", sql, "--warehouse", warehouse_url, "--format", "json"])
    assert (as_csv.exit_code, as_csv.stdout) == (0, "batch_id,source\n")
    assert (as_json.exit_code, json.loads(as_json.stdout)) == (0, [])
