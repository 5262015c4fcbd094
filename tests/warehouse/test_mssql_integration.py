"""The same deploy, procedures and trap expressions on a real SQL Server.

Runs only when CIP_TEST_MSSQL_URL is set (a test-only SQLAlchemy URL whose login may create
databases), e.g. with the Docker container of docs/engine.md:
    mssql+pyodbc://sa:<password>@localhost:1433/master?driver=ODBC+Driver+18+for+SQL+Server&TrustServerCertificate=yes
Each run creates its own uniquely named database and drops it afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from sqlalchemy.engine import make_url

import warehouse
from tests.warehouse.conftest import FIXTURE_SQL
from tests.warehouse.test_traps import TRAP_EXPRESSIONS

MSSQL_URL = os.environ.get("CIP_TEST_MSSQL_URL", "")
pytestmark = [
    pytest.mark.mssql,
    pytest.mark.skipif(not MSSQL_URL, reason="set CIP_TEST_MSSQL_URL to a SQL Server test URL to run (see docs/engine.md)"),
]


@pytest.fixture(scope="module")
def engine():
    database = f"cip_test_{uuid.uuid4().hex[:12]}"
    with warehouse.connect(MSSQL_URL) as server:
        server.query(f"CREATE DATABASE [{database}];")
        try:
            url = make_url(MSSQL_URL).set(database=database).render_as_string(hide_password=False)
            with warehouse.connect(url) as engine:
                engine.deploy()
                engine.deploy(FIXTURE_SQL)
                yield engine
        finally:
            server.query(f"ALTER DATABASE [{database}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{database}];")


def test_deploy_is_idempotent(engine):
    assert "schema/etl/batch.sql" not in engine.deploy()


@pytest.mark.parametrize(("expression", "sql_server_result"), TRAP_EXPRESSIONS)
def test_trap_expression_has_the_documented_result(engine, expression, sql_server_result):
    assert engine.query(f"SELECT {expression} AS result;").iat[0, 0] == sql_server_result


def test_lineage_batch_round_trip(engine):
    started_at = dt.datetime(2011, 12, 9, 12, 50)
    first = engine.execute("etl.StartBatch", source="integration", started_at=started_at)
    again = engine.execute("etl.StartBatch", source="integration", started_at=started_at)
    assert first.rows.to_dict("records") == again.rows.to_dict("records")
    batch_id = int(first.rows["batch_id"][0])
    finished = engine.execute("etl.FinishBatch", batch_id=batch_id, rows_read=3, rows_loaded=3, rows_rejected=0)
    assert finished.return_code == 0
    assert finished.rows["status"].tolist() == ["succeeded"]
    with pytest.raises(warehouse.ProcedureError) as raised:
        engine.execute("etl.FinishBatch", batch_id=batch_id, status="done")
    assert raised.value.number == 50003


def test_procedures_roll_back_nest_and_merge(engine):
    engine.query("DELETE FROM trap.ledger;")
    with pytest.raises(warehouse.ProcedureError) as raised:
        engine.execute("trap.AddLedgerEntry", note="rolled back", amount=1, fail_after_insert=True)
    assert raised.value.number == 50010
    with pytest.raises(warehouse.ProcedureError):
        engine.execute("trap.AddTwoEntries", first_note="same", second_note="same")
    assert engine.query("SELECT COUNT(*) AS n FROM trap.ledger;").iat[0, 0] == 0

    inner, outer, after = engine.execute("trap.NestedOuter").result_sets
    assert inner.iat[0, 0] == 2 and outer.to_dict("records") == [{"inner_return_code": 7, "outer_trancount": 1}]
    assert after.iat[0, 0] == 0

    payload = "x'); DROP TABLE trap.ledger; --"
    assert engine.execute("trap.AddLedgerEntry", note=payload, amount="2.50").rows["note"].tolist() == [payload]

    engine.execute("trap.MergeCustomer", customer_code="ab1", customer_name="first")
    engine.execute("trap.MergeCustomer", customer_code="AB1", customer_name="second")
    assert engine.query("SELECT customer_name FROM trap.customer;")["customer_name"].tolist() == ["second"]

    summary = engine.execute("trap.LedgerSummary").rows
    assert summary["lock_result"].tolist() == [0]


def test_the_security_policy_applies_the_power_bi_grants_to_direct_queries(engine):
    """sql/sqlserver/: a database user named by its UPN sees only the countries granted to it
    through sec.GrantUserAccess; members of cip_all_countries see every row."""
    engine.query(
        "INSERT INTO dw.dim_country (country_key, country_name, display_name, region, batch_id) VALUES "
        "(901, N'France', N'France', N'Europe', 0), (902, N'Japan', N'Japan', N'Rest of World', 0);"
    )
    engine.query(
        "INSERT INTO dw.dim_customer (customer_id, country, country_key, batch_id) VALUES (90001, N'France', 901, 0), (90002, N'Japan', 902, 0);"
    )
    engine.query("CREATE USER [ann@contoso.com] WITHOUT LOGIN; GRANT SELECT ON SCHEMA::dw TO [ann@contoso.com];")
    engine.query("CREATE USER [cfo@contoso.com] WITHOUT LOGIN; GRANT SELECT ON SCHEMA::dw TO [cfo@contoso.com];")
    engine.query("ALTER ROLE cip_all_countries ADD MEMBER [cfo@contoso.com];")
    engine.execute("sec.GrantUserAccess", user_principal_name="ann@contoso.com", region="Europe")

    def visible_to(user: str) -> list[int]:
        rows = engine.query(
            f"EXECUTE AS USER = N'{user}'; SELECT customer_id FROM dw.dim_customer WHERE customer_id >= 90001 ORDER BY customer_id; REVERT;"
        )
        return rows["customer_id"].tolist()

    assert visible_to("ann@contoso.com") == [90001]
    assert visible_to("cfo@contoso.com") == [90001, 90002]
    engine.execute("sec.RevokeUserAccess", user_principal_name="ann@contoso.com")
    assert visible_to("ann@contoso.com") == []


@pytest.mark.parametrize("sql", ["SELECT nosuch_column FROM etl.batch;", "SELECT * FROM etl.nosuch_table;", "SELECT * FROM etl.batch WHERE;"])
def test_a_query_sql_server_cannot_compile_is_a_usage_error_as_on_duckdb(engine, sql):
    with pytest.raises(warehouse.InvalidSql, match="SQL Server error"):
        engine.query(sql)


def test_a_shared_check_speaks_in_its_callers_name_as_on_duckdb(engine):
    with pytest.raises(warehouse.ProcedureError) as raised:
        engine.execute("etl.BuildWarehouse")
    assert str(raised.value) == "error 50101 in etl.BuildWarehouse: @batch_id is required."
