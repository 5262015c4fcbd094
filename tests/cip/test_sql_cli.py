"""`cip sql` deploy / exec / query against a DuckDB file, through typer's CliRunner."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cip.sql_cli import sql_app

runner = CliRunner()


@pytest.fixture(scope="module")
def warehouse_url(tmp_path_factory) -> str:
    url = f"duckdb:///{(tmp_path_factory.mktemp('cli') / 'warehouse.duckdb').as_posix()}"
    result = runner.invoke(sql_app, ["deploy", "--warehouse", url])
    assert result.exit_code == 0, result.output
    assert "schema/etl/batch.sql" in result.output
    return url


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
