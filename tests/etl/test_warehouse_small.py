"""The warehouse build on a handful of rows, checked by hand: procedures, errors, the segment map.

The rows are tests/analytics/raw_fixtures.TYPED_ROWS: five sale lines of four customers, all on
2010-12-01, and two return lines of two other customers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import warehouse
from analytics.cleaning.clean_exports import clean_exports
from etl.load import load_batch, stage_batch
from etl.reports import warehouse_figures
from tests.analytics.raw_fixtures import ONLINE_RETAIL, TYPED_ROWS, write_csv


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("small")
    cleaned = clean_exports([write_csv(TYPED_ROWS, tmp / "drop.csv", ONLINE_RETAIL)], tmp / "clean")
    with warehouse.connect("duckdb:///:memory:") as engine:
        engine.deploy()
        ledger = cleaned.ledger.table()
        summary = load_batch(engine, cleaned, ledger)
        yield engine, summary, cleaned, ledger


def view(engine) -> dict[int, dict]:
    rows = engine.query("SELECT * FROM mart.single_customer_view ORDER BY customer_id;")
    return {row["customer_id"]: row for row in rows.to_dict("records")}


def test_single_customer_view_by_hand(small):
    engine, summary, *_ = small
    assert summary.as_of_date == dt.date(2010, 12, 2)  # the day after the latest sale
    customers = view(engine)
    # every buyer bought once on 2010-12-01: recency 1, frequency 1, so r and f follow customer_id;
    # monetary: 14911 17.02 < 13047 19.50 < 17850 35.64 < 12583 36.00
    assert {c: (r["rfm_code"], r["segment"]) for c, r in customers.items()} == {
        12583: ("114", "Can't Lose Them"),
        13047: ("222", "Hibernating"),
        14911: ("331", "About to Sleep"),
        17850: ("443", "Need Attention"),
    }
    uk = customers[17850]
    assert (uk["recency_days"], uk["tenure_days"], uk["frequency"], uk["return_count"]) == (1, 1, 1, 0)
    assert (uk["monetary"], uk["average_order_value"], uk["net_revenue"]) == (Decimal("35.6400"), Decimal("35.6400"), Decimal("35.6400"))
    assert (uk["country"], uk["region"], uk["first_purchase_at"]) == ("United Kingdom", "United Kingdom", dt.datetime(2010, 12, 1, 8, 26))
    ireland = customers[13047]
    assert (ireland["country"], ireland["country_display_name"], ireland["region"]) == ("EIRE", "Ireland", "Europe")
    assert customers[12583]["region"] == "Europe"  # France


def test_warehouse_figures_by_hand_and_on_an_empty_warehouse(small):
    engine, summary, *_ = small
    figures = warehouse_figures(engine)  # the latest succeeded batch: the one built
    assert figures == summary
    assert (figures.sales_lines_loaded, figures.return_lines_loaded, figures.fact_sales_rows) == (5, 2, 5)
    assert (figures.customers, figures.rfm_customers, figures.cohorts) == (6, 4, 1)  # 2 customers only returned
    assert figures.sales_revenue == pytest.approx(17.02 + 19.50 + 35.64 + 36.00)
    with warehouse.connect("duckdb:///:memory:") as empty:
        empty.deploy()
        nothing = warehouse_figures(empty)
    assert (nothing.batch_id, nothing.fact_sales_rows, nothing.as_of_date, nothing.sales_revenue) == (None, 0, None, 0.0)


def test_customers_with_returns_only_are_in_the_dimension_not_in_the_view(small):
    engine, *_ = small
    rows = engine.query(
        "SELECT customer_id, country, first_purchase_at FROM dw.dim_customer WHERE customer_id IN (14527, 15311) ORDER BY customer_id;"
    )
    assert rows.to_dict("records") == [
        {"customer_id": 14527, "country": "United Kingdom", "first_purchase_at": None},
        {"customer_id": 15311, "country": "United Kingdom", "first_purchase_at": None},
    ]
    assert 14527 not in view(engine)


def test_the_segment_map_is_data_read_live_by_the_view(small):
    engine, *_ = small
    engine.query("UPDATE mart.rfm_segment_map SET segment = N'Sleepy but loyal' WHERE rfm_code = N'331';")
    assert view(engine)[14911]["segment"] == "Sleepy but loyal"
    engine.execute("mart.SeedRfmSegmentMap")  # adds missing codes only: the edit stays
    assert view(engine)[14911]["segment"] == "Sleepy but loyal"
    engine.execute("mart.SeedRfmSegmentMap", reset=True)
    assert view(engine)[14911]["segment"] == "About to Sleep"
    engine.query("DELETE FROM mart.rfm_segment_map WHERE rfm_code = N'331';")
    with pytest.raises(warehouse.ProcedureError) as error:
        engine.execute("mart.BuildCustomerRfm", batch_id=1)
    assert error.value.number == 50212
    engine.execute("mart.SeedRfmSegmentMap")
    assert engine.query("SELECT COUNT(*) AS n FROM mart.rfm_segment_map;")["n"][0] == 125


def test_as_of_date_parameter_moves_recency_and_tenure(small):
    engine, summary, *_ = small
    engine.execute("etl.BuildWarehouse", batch_id=summary.batch_id, as_of_date=dt.date(2011, 1, 1))
    uk = view(engine)[17850]
    assert (uk["as_of_date"], uk["recency_days"], uk["tenure_days"]) == (dt.date(2011, 1, 1), 31, 31)
    cohorts = engine.query("SELECT month_index, active_customers, retention_rate FROM mart.cohort_retention ORDER BY month_index;")
    assert cohorts.to_dict("records") == [{"month_index": 0, "active_customers": 4, "retention_rate": Decimal("1.0000")}]
    with pytest.raises(warehouse.ProcedureError) as error:
        engine.execute("etl.BuildWarehouse", batch_id=summary.batch_id, as_of_date=dt.date(2010, 12, 1))
    assert error.value.number == 50211  # no sale before that day
    assert view(engine)[17850]["recency_days"] == 31  # the failed build changed nothing
    engine.execute("etl.BuildWarehouse", batch_id=summary.batch_id)
    assert view(engine)[17850]["recency_days"] == 1


@pytest.mark.parametrize(
    ("parameters", "number"),
    [({}, 50101), ({"batch_id": 999}, 50102)],
    ids=["batch missing", "unknown batch"],
)
def test_build_refuses_a_bad_batch_with_a_numbered_error(small, parameters, number):
    engine, *_ = small
    with pytest.raises(warehouse.ProcedureError) as error:
        engine.execute("etl.BuildWarehouse", **parameters)
    assert error.value.number == number
    assert "etl.BuildWarehouse: " in str(error.value)  # the shared check speaks in the caller's name


def test_an_unstaged_batch_is_refused_and_a_new_load_replaces_the_old_lines(small):
    engine, summary, cleaned, ledger = small
    newer = stage_batch(engine, cleaned, ledger)  # staging now holds only the newer batch
    with pytest.raises(warehouse.ProcedureError) as error:
        engine.execute("etl.BuildWarehouse", batch_id=summary.batch_id)
    assert error.value.number == 50103
    engine.execute("etl.BuildWarehouse", batch_id=newer)
    lines = engine.query("SELECT batch_id, COUNT(*) AS n FROM dw.fact_sales GROUP BY batch_id;")
    assert lines.to_dict("records") == [{"batch_id": newer, "n": 5}]  # replaced, not duplicated
