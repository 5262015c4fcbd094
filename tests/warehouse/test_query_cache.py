"""Repeated queries reuse their translation, without ever returning stale or mixed-up results."""

from decimal import Decimal

import warehouse


def test_a_repeated_query_binds_each_calls_own_values():
    with warehouse.connect("duckdb:///:memory:") as engine:
        engine.deploy()
        for source in ("a.csv", "b.csv"):
            engine.execute("etl.StartBatch", source=source)
        lookup = "SELECT b.source AS source FROM etl.batch AS b WHERE b.batch_id = @id;"
        assert engine.query(lookup, {"id": 1})["source"].tolist() == ["a.csv"]
        assert engine.query(lookup, {"id": 2})["source"].tolist() == ["b.csv"]
        # same text, a parameter of another type: translated for that type, not reused blindly
        assert engine.query("SELECT @v / 2 AS half;", {"v": 7})["half"].tolist() == [3]
        assert engine.query("SELECT @v / 2 AS half;", {"v": Decimal("7.0")})["half"].tolist() == [Decimal("3.5")]


def test_translations_are_forgotten_when_tables_change(tmp_path):
    schema = tmp_path / "schema" / "demo"
    schema.mkdir(parents=True)
    (tmp_path / "procedures").mkdir()
    (schema / "demo.sql").write_text("CREATE SCHEMA demo;\nGO\n")
    # a bare PRIMARY KEY (no CLUSTERED) is plain T-SQL too
    (schema / "item.sql").write_text("CREATE TABLE demo.item (item_id INT NOT NULL, CONSTRAINT PK_demo_item PRIMARY KEY (item_id));\nGO\n")
    view = schema / "amount.sql"
    view.write_text("CREATE OR ALTER VIEW demo.amount AS SELECT CAST(7 AS INT) AS amount FROM demo.item AS i;\nGO\n")
    halve = "SELECT a.amount / 2 AS half FROM demo.amount AS a;"
    with warehouse.connect("duckdb:///:memory:") as engine:
        engine.deploy(tmp_path)
        engine.query("INSERT INTO demo.item (item_id) VALUES (1);")
        assert engine.query(halve)["half"].tolist() == [3]  # INT / INT truncates
        view.write_text("CREATE OR ALTER VIEW demo.amount AS SELECT CAST(7 AS DECIMAL(10, 2)) AS amount FROM demo.item AS i;\nGO\n")
        engine.deploy(tmp_path)
        # same text, now a decimal column: SQL Server's DECIMAL(10, 2) / INT has scale 6
        assert [str(v) for v in engine.query(halve)["half"]] == ["3.500000"]
