"""The T-SQL traps of tsql-on-duckdb.md, run through the DuckDB engine.

Every expected value is what SQL Server documents (no SQL Server is needed to read them):
integer division truncates, AVG of integers is an integer, CAST to INT truncates, `+` joins
strings, DATEDIFF counts boundaries (weeks start on Sunday), DATEADD keeps the date type,
NULL sorts first, comparisons ignore case and trailing spaces, decimal division follows the
documented precision/scale rules.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import warehouse


def single_value(engine, sql: str):
    frame = engine.query(sql)
    assert frame.shape == (1, 1), frame
    return frame.iat[0, 0]


TRAP_EXPRESSIONS = [
    # integer division truncates toward zero
    ("7 / 2", 3),
    ("-7 / 2", -3),
    ("CAST(7 AS BIGINT) / CAST(2 AS INT)", 3),
    # CAST to an integer truncates, it does not round
    ("CAST(1.7 AS INT)", 1),
    ("CAST(-1.7 AS INT)", -1),
    ("CAST(CAST(2.99 AS DECIMAL(5, 2)) AS BIGINT)", 2),
    # + on strings concatenates; NULL propagates
    ("N'abc' + N'def'", "abcdef"),
    ("N'abc' + CAST(NULL AS NVARCHAR(10))", None),
    # CAST to NVARCHAR(n) cuts the string
    ("CAST(N'abcdef' AS NVARCHAR(3))", "abc"),
    # DATEDIFF counts boundaries crossed
    ("DATEDIFF(day, CAST('2011-01-01 23:59' AS DATETIME2(0)), CAST('2011-01-02 00:01' AS DATETIME2(0)))", 1),
    ("DATEDIFF(month, CAST('2011-01-31' AS DATE), CAST('2011-02-01' AS DATE))", 1),
    ("DATEDIFF(year, CAST('2011-12-31' AS DATE), CAST('2012-01-01' AS DATE))", 1),
    # weeks: a Saturday to the next day (Sunday) crosses one boundary; Sunday to Saturday none
    ("DATEDIFF(week, CAST('2011-01-01' AS DATE), CAST('2011-01-02' AS DATE))", 1),
    ("DATEDIFF(week, CAST('2011-01-02' AS DATE), CAST('2011-01-08' AS DATE))", 0),
    ("DATEDIFF(week, CAST('2011-01-08' AS DATE), CAST('2011-01-01' AS DATE))", -1),
    # DATEADD keeps the type of its date argument and clamps to the month's end
    ("DATEADD(month, 1, CAST('2011-01-31' AS DATE))", dt.date(2011, 2, 28)),
    ("DATEADD(day, 1, CAST('2011-12-31' AS DATE))", dt.date(2012, 1, 1)),
    ("DATEADD(hour, 2, CAST('2011-01-01 23:00:00' AS DATETIME2(0)))", dt.datetime(2011, 1, 2, 1, 0)),
    # CONVERT styles
    ("CONVERT(NVARCHAR(8), CAST('2011-03-04' AS DATE), 112)", "20110304"),
    ("CONVERT(NVARCHAR(10), CAST('2011-03-04' AS DATE), 23)", "2011-03-04"),
    ("CONVERT(NVARCHAR(19), CAST('2011-03-04 05:06:07' AS DATETIME2(0)), 120)", "2011-03-04 05:06:07"),
    ("CONVERT(DATE, '20110304', 112)", dt.date(2011, 3, 4)),
    ("EOMONTH(CAST('2011-02-10' AS DATE))", dt.date(2011, 2, 28)),
    ("DATEFROMPARTS(2011, 12, 9)", dt.date(2011, 12, 9)),
    # comparisons: case-insensitive, trailing spaces ignored; LEN ignores trailing spaces
    ("CASE WHEN N'abc' = N'ABC' THEN 1 ELSE 0 END", 1),
    ("CASE WHEN N'a' = N'a   ' THEN 1 ELSE 0 END", 1),
    ("CASE WHEN N'ABC' LIKE N'ab%' THEN 1 ELSE 0 END", 1),
    ("CASE WHEN N'ABC' NOT LIKE N'ab%' THEN 1 ELSE 0 END", 0),  # NOT survives the ILIKE rewrite
    ("CASE WHEN N'ABC' NOT LIKE N'x%' THEN 1 ELSE 0 END", 1),
    ("LEN(N'ab  ')", 2),
    # DECIMAL arithmetic: result precision and scale as SQL Server documents them
    ("CAST(10 AS DECIMAL(10, 2)) / CAST(3 AS DECIMAL(10, 2))", Decimal("3.3333333333333")),
    ("CAST(2 AS DECIMAL(10, 2)) / CAST(3 AS DECIMAL(10, 2))", Decimal("0.6666666666666")),
    ("1.0 / 3", Decimal("0.333333")),
    ("0.7 / 0.1", Decimal("7.000000")),
    ("CAST(1.10 AS DECIMAL(5, 2)) * CAST(1.10 AS DECIMAL(5, 2))", Decimal("1.2100")),
    ("CAST(19.99 AS DECIMAL(10, 2)) * 3", Decimal("59.97")),
    ("COALESCE(CAST(NULL AS INT), 5)", 5),
]


@pytest.mark.parametrize(("expression", "sql_server_result"), TRAP_EXPRESSIONS)
def test_expression_gives_the_sql_server_result(engine, expression, sql_server_result):
    assert single_value(engine, f"SELECT {expression} AS result;") == sql_server_result


def test_avg_of_integers_is_a_truncated_integer(engine):
    values = "FROM (VALUES (1, 1), (1, 2), (2, -1), (2, -2)) AS t(grp, v)"
    grouped = engine.query(f"SELECT grp, AVG(v) AS average {values} GROUP BY grp ORDER BY grp;")
    windowed = engine.query(f"SELECT AVG(v) OVER (PARTITION BY grp) AS average {values} ORDER BY grp, v;")
    assert grouped["average"].tolist() == [1, -1]
    assert windowed["average"].tolist() == [1, 1, -1, -1]


def test_division_by_zero_is_an_error_as_on_sql_server(engine):
    with pytest.raises(warehouse.ProcedureError, match="Divide by zero") as raised:
        engine.query("SELECT 1 / 0 AS result;")
    assert raised.value.number == 8134


def test_invalid_date_conversion_fails_instead_of_giving_null(engine):
    with pytest.raises(warehouse.ProcedureError):
        engine.query("SELECT CONVERT(DATE, '2011-02-30') AS result;")


def test_nulls_sort_first_ascending_and_last_descending(engine):
    values = "FROM (VALUES (2), (NULL), (1)) AS t(v)"
    assert engine.query(f"SELECT v {values} ORDER BY v;")["v"].tolist() == [None, 1, 2]
    assert engine.query(f"SELECT v {values} ORDER BY v DESC;")["v"].tolist() == [2, 1, None]


def test_ntile_bucket_sizes_put_the_remainder_in_the_first_buckets(engine):
    frame = engine.query("SELECT NTILE(4) OVER (ORDER BY n) AS bucket FROM (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10)) AS t(n);")
    assert frame["bucket"].value_counts().sort_index().tolist() == [3, 3, 2, 2]


def test_group_by_and_distinct_ignore_case(engine):
    values = "FROM (VALUES (N'abc'), (N'ABC'), (N'Abc')) AS t(code)"
    assert single_value(engine, f"SELECT COUNT(DISTINCT code) AS result {values};") == 1
    assert len(engine.query(f"SELECT code, COUNT(*) AS n {values} GROUP BY code;")) == 1


def test_recursive_cte_without_the_recursive_keyword(engine):
    sql = "WITH numbers AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM numbers WHERE n < 5) SELECT SUM(n) AS total FROM numbers;"
    assert single_value(engine, sql) == 15


def test_identity_counts_from_its_seed_by_its_step_and_computed_column_is_computed(engine):
    engine.query("INSERT INTO trap.order_line (quantity, unit_price) VALUES (3, 2.50), (1, 1.25);")
    frame = engine.query("SELECT order_line_id, line_total FROM trap.order_line ORDER BY order_line_id;")
    assert frame["order_line_id"].tolist()[:2] == [100, 110]
    assert frame["line_total"].tolist()[:2] == [Decimal("7.50"), Decimal("1.25")]


def test_merge_with_qualified_target_inserts_then_updates_case_insensitively(engine):
    engine.execute("trap.MergeCustomer", customer_code="ab1", customer_name="first")
    engine.execute("trap.MergeCustomer", customer_code="AB1", customer_name="second")
    frame = engine.query("SELECT customer_code, customer_name FROM trap.customer;")
    assert frame.to_dict("records") == [{"customer_code": "ab1", "customer_name": "second"}]


def test_unique_keys_on_strings_ignore_case(empty_ledger):
    empty_ledger.execute("trap.AddLedgerEntry", note="Gift", amount=1)
    with pytest.raises(warehouse.ProcedureError) as raised:
        empty_ledger.execute("trap.AddLedgerEntry", note="GIFT", amount=2)
    assert raised.value.number == 2627
