"""Two engine fixes the warehouse build needed, each pinned by a test.

1. A `CASE ... ELSE ... END` at the top level of a procedure statement was refused as a missing
   ';' before ELSE (the structural parser ignored that it was inside a CASE).
2. `bulk_load` after an EXEC whose result was not read to its end failed on DuckDB 2.0
   ("connection has an unfinished result"), e.g. after etl.StartBatch.
"""

from pathlib import Path

import pandas as pd

import warehouse


def test_case_with_else_inside_a_procedure_statement(tmp_path: Path):
    (tmp_path / "schema" / "demo").mkdir(parents=True)
    (tmp_path / "procedures" / "demo").mkdir(parents=True)
    (tmp_path / "schema" / "demo" / "demo.sql").write_text("CREATE SCHEMA demo;\nGO\n")
    (tmp_path / "procedures" / "demo" / "Label.sql").write_text(
        "CREATE OR ALTER PROCEDURE demo.Label\n    @n INT\nAS\nBEGIN\n    SET NOCOUNT ON;\n    SET XACT_ABORT ON;\n"
        "    SELECT CASE WHEN @n > 0 THEN N'positive' ELSE N'not positive' END AS label;\n    RETURN 0;\nEND;\nGO\n"
    )
    with warehouse.connect("duckdb:///:memory:") as engine:
        engine.deploy(tmp_path)
        assert engine.execute("demo.Label", n=1).rows["label"][0] == "positive"
        assert engine.execute("demo.Label", n=0).rows["label"][0] == "not positive"


def test_bulk_load_right_after_a_procedure_result(engine):
    engine.execute("etl.StartBatch", source="bulk-after-exec.csv")  # its result set is read with fetchone
    assert engine.bulk_load("trap.customer", pd.DataFrame({"customer_code": ["AFTER-EXEC"], "customer_name": ["x"]})) == 1
    assert engine.query("SELECT COUNT(*) AS n FROM trap.customer WHERE customer_code = N'AFTER-EXEC';")["n"][0] == 1
