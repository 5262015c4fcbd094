"""The static gate: every T-SQL file of the project stays inside the subset both engines run.

For each file under sql/ (and the test fixtures under tests/warehouse/sql/) but sql/sqlserver/
(SQL-Server-only by design: the row-level security policy): the adapter
deploys it into a scratch DuckDB - which refuses constructs outside the subset, anything
sqlglot only parses as a raw command and anything it cannot translate - and DuckDB binds every
translated procedure statement; sqlfluff (dialect tsql) parses the file as SQL Server would,
SQL-Server-only statements included. Failures name the file and line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlfluff
from sqlfluff.api.simple import APIParsingError

import warehouse
from core.paths import SQL_ROOT
from tests.warehouse.conftest import FIXTURE_SQL

SQL_ROOTS = {"sql": SQL_ROOT, "tests/warehouse/sql": FIXTURE_SQL}
FILES = [(label, path.relative_to(root).as_posix()) for label, root in SQL_ROOTS.items() for path in sorted(root.rglob("*.sql"))]
SUBSET_FILES = [(label, file) for label, file in FILES if not file.startswith("sqlserver/")]


@pytest.fixture(scope="module")
def adapter_problems() -> dict[tuple[str, str], list[warehouse.SqlRefused]]:
    problems = {}
    with warehouse.connect("duckdb:///:memory:") as engine:
        for label, root in SQL_ROOTS.items():
            problems.update({(label, file): found for file, found in engine.check(root).items()})
    return problems


@pytest.fixture(scope="session")
def sqlfluff_problems() -> dict[tuple[str, str], str]:
    """sqlfluff is slow to start: parse every file once per session."""
    problems = {}
    for label, file in FILES:
        try:
            sqlfluff.parse((SQL_ROOTS[label] / file).read_text(encoding="utf-8"), dialect="tsql")
        except APIParsingError as error:
            problems[(label, file)] = str(error)
    return problems


def test_the_gate_sees_the_product_files():
    assert ("sql", "procedures/etl/StartBatch.sql") in SUBSET_FILES
    assert ("sql", "schema/etl/batch.sql") in SUBSET_FILES
    assert ("sql", "sqlserver/sec/country_access_policy.sql") in FILES  # sqlfluff only


@pytest.mark.parametrize(("label", "file"), SUBSET_FILES, ids=[f"{label}/{file}" for label, file in SUBSET_FILES])
def test_file_is_inside_the_subset_and_translates(adapter_problems, label, file):
    problems = adapter_problems.get((label, file), [])
    assert not problems, "\n".join(f"{label}/{problem}" for problem in problems)


@pytest.mark.parametrize(("label", "file"), FILES, ids=[f"{label}/{file}" for label, file in FILES])
def test_file_parses_as_tsql_with_sqlfluff(sqlfluff_problems, label, file):
    assert (label, file) not in sqlfluff_problems, f"{label}/{file}: {sqlfluff_problems[(label, file)]}"


def test_the_gate_names_file_and_line_of_a_refused_construct(tmp_path: Path):
    (tmp_path / "schema" / "demo").mkdir(parents=True)
    (tmp_path / "procedures").mkdir()
    (tmp_path / "schema" / "demo" / "demo.sql").write_text("CREATE SCHEMA demo;\nGO\n")
    (tmp_path / "schema" / "demo" / "amounts.sql").write_text("CREATE TABLE demo.amounts\n(\n    amount MONEY NOT NULL\n);\nGO\n")
    with warehouse.connect("duckdb:///:memory:") as engine:
        problems = engine.check(tmp_path)
    [refused] = problems["schema/demo/amounts.sql"]
    assert str(refused).startswith("schema/demo/amounts.sql:1: MONEY")  # the statement's first line
    assert "DECIMAL(19, 4)" in refused.instead


def test_the_gate_binds_procedure_statements_against_the_tables(tmp_path: Path):
    (tmp_path / "schema" / "demo").mkdir(parents=True)
    (tmp_path / "procedures" / "demo").mkdir(parents=True)
    (tmp_path / "schema" / "demo" / "demo.sql").write_text("CREATE SCHEMA demo;\nGO\n")
    (tmp_path / "schema" / "demo" / "item.sql").write_text("CREATE TABLE demo.item (item_id INT NOT NULL);\nGO\n")
    (tmp_path / "procedures" / "demo" / "CountItems.sql").write_text(
        "CREATE OR ALTER PROCEDURE demo.CountItems\nAS\nBEGIN\n    SET NOCOUNT ON;\n    SET XACT_ABORT ON;\n"
        "    SELECT COUNT(itemid) AS items FROM demo.item;\n    RETURN 0;\nEND;\nGO\n"
    )
    with warehouse.connect("duckdb:///:memory:") as engine:
        [refused] = engine.check(tmp_path)["procedures/demo/CountItems.sql"]
    assert refused.line == 6 and "itemid" in refused.problem
