"""Deploy: dependency order, idempotence on an existing file, clear refusals, persistence."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import warehouse
from tests.warehouse.conftest import FIXTURE_SQL
from warehouse.sql_files import deployment_order


def test_schemas_come_before_their_tables_and_tables_before_procedures():
    order = [f.relative for f in deployment_order(FIXTURE_SQL)]
    assert order.index("schema/trap/trap.sql") < order.index("schema/trap/ledger.sql")
    assert order.index("schema/trap/ledger.sql") < order.index("schema/trap/ledger_policy.sql")
    assert order.index("schema/trap/fn_visible_note.sql") < order.index("schema/trap/ledger_policy.sql")
    assert order.index("procedures/trap/NestedInner.sql") < order.index("procedures/trap/NestedOuter.sql")
    assert all(name.startswith("procedures/") for name in order[order.index("procedures/trap/AddLedgerEntry.sql") :])


def test_deploy_twice_on_a_file_keeps_data_and_another_connection_can_exec(tmp_path, caplog):
    url = f"duckdb:///{(tmp_path / 'nested' / 'warehouse.duckdb').as_posix()}"
    with warehouse.connect(url) as engine:
        first = engine.deploy()
        batch_id = int(engine.execute("etl.StartBatch", source="first load").rows["batch_id"][0])
    with caplog.at_level(logging.DEBUG, logger="warehouse"), warehouse.connect(url) as engine:
        second = engine.deploy()
        assert "schema/etl/batch.sql" in first and "schema/etl/batch.sql" not in second  # kept, not recreated
        replaceable = [f.relative for f in deployment_order() if f.replaceable]  # CREATE OR ALTER views and procedures
        assert second == replaceable and "procedures/etl/StartBatch.sql" in second
        engine.execute("etl.FinishBatch", batch_id=batch_id)
        assert engine.query("SELECT status FROM etl.batch;")["status"].tolist() == ["succeeded"]
    assert "skipped schema/etl/batch.sql: table etl.batch exists" in caplog.text


def test_server_only_statements_are_skipped_with_a_debug_line(caplog):
    with caplog.at_level(logging.DEBUG, logger="warehouse"), warehouse.connect("duckdb:///:memory:") as engine:
        engine.deploy(FIXTURE_SQL)
    for reason in ("columnstore index", "row-level security policy", "schema-bound inline function", "extended property"):
        assert reason in caplog.text


def write_sql_root(root: Path, procedure_body: str) -> Path:
    (root / "schema" / "demo").mkdir(parents=True)
    (root / "procedures" / "demo").mkdir(parents=True)
    (root / "schema" / "demo" / "demo.sql").write_text("CREATE SCHEMA demo;\nGO\n")
    (root / "procedures" / "demo" / "Broken.sql").write_text(
        "CREATE OR ALTER PROCEDURE demo.Broken\nAS\nBEGIN\n    SET NOCOUNT ON;\n    SET XACT_ABORT ON;\n"
        + procedure_body
        + "    RETURN 0;\nEND;\nGO\n"
    )
    return root


@pytest.mark.parametrize(
    ("body", "line", "problem", "instead"),
    [
        ("    SELECT ISNULL(NULL, 1) AS x;\n", 6, "ISNULL", "COALESCE"),
        ("    DECLARE @n INT = 0;\n    WHILE @n < 3 SET @n = @n + 1;\n", 7, "WHILE", "set-based"),
        ("    DECLARE @f FLOAT = 1;\n", 6, "FLOAT", "DECIMAL"),
        ("    SELECT 1 AS x\n", 7, "missing ';'", "end every statement"),
        ("    RAISERROR('x', 16, 1);\n", 6, "RAISERROR", "THROW"),
        ("    SELECT x.n / 2 AS half FROM (SELECT CAST(NULL AS DATE) AS n) AS x;\n", 6, "cannot", "CAST"),
    ],
)
def test_sql_outside_the_subset_is_refused_at_deploy_with_file_line_and_what_to_write(tmp_path, body, line, problem, instead):
    root = write_sql_root(tmp_path, body)
    with warehouse.connect("duckdb:///:memory:") as engine:
        with pytest.raises(warehouse.SqlRefused) as raised:
            engine.deploy(root)
        assert engine.query("SELECT COUNT(*) AS n FROM information_schema.schemata WHERE schema_name = 'demo';")["n"][0] == 0
    refused = raised.value
    assert (refused.file, refused.line) == ("procedures/demo/Broken.sql", line)
    assert problem in refused.problem and instead in refused.instead
    assert str(refused).startswith(f"procedures/demo/Broken.sql:{line}: ")


def test_bulk_load_round_trips_a_dataframe_and_an_arrow_table(engine):
    engine.query("DELETE FROM trap.customer;")
    frame = pd.DataFrame({"customer_code": ["C1", "C2"], "customer_name": ["Ann", "Ben"]})
    assert engine.bulk_load("trap.customer", frame) == 2
    arrow = pa.table({"customer_name": ["Cid"], "customer_code": ["C3"]})  # by name, not position
    assert engine.bulk_load("trap.customer", arrow) == 1
    loaded = engine.query("SELECT customer_code, customer_name FROM trap.customer ORDER BY customer_code;")
    assert loaded.to_dict("records") == [
        {"customer_code": "C1", "customer_name": "Ann"},
        {"customer_code": "C2", "customer_name": "Ben"},
        {"customer_code": "C3", "customer_name": "Cid"},
    ]


def test_bulk_load_refuses_names_that_are_not_plain_identifiers(engine):
    with pytest.raises(warehouse.UsageError, match="schema.table"):
        engine.bulk_load("trap.customer; DROP TABLE x", pd.DataFrame({"customer_code": ["x"]}))
    with pytest.raises(warehouse.UsageError, match="column names"):
        engine.bulk_load("trap.customer", pd.DataFrame({"customer_code) --": ["x"]}))


def test_connect_refuses_unknown_urls():
    with pytest.raises(warehouse.ConnectError, match="unsupported"):
        warehouse.connect("sqlite:///x.db")
    with pytest.raises(warehouse.ConnectError, match="not a database URL"):
        warehouse.connect("not a url")
