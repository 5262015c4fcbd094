"""The analytics wired to the warehouse: read from dw/mart through the engine, results written to mart.

One warehouse for the session: the bundled real data cleaned, deployed into a DuckDB file, staged
and built with the product's own code (etl.load), then `analyse_warehouse` once. The checks
recompute what was written independently (pandas on dw.fact_sales), follow the France rule
through the warehouse path, compare the Single Customer View with the mart tables, and prove
that a run replaces the previous results atomically. Tests that change the shared warehouse come
last.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
import pytest

import warehouse
from analytics.errors import NotEnoughData
from analytics.marts.compute import AnalyticsRun, product_association_rows
from analytics.marts.inputs import read_inputs
from analytics.marts.parameters import AnalyticsParameters
from analytics.marts.run import analyse_warehouse
from analytics.marts.tables import SEPARATOR, TABLES, typed_table, write_results
from analytics.product_association import ProductAssociationParameters
from analytics.rfm import rfm_at_cutoff
from etl.load import load_batch
from etl.reports import WarehouseFigures

KEYS = {
    "mart.product_association": "rule_rank",
    "mart.segment_validation": "segment_order",
    "mart.customer_churn_risk": "customer_id",
    "mart.churn_model_evaluation": "scorer",
    "mart.customer_whale": "customer_id",
}
SCV_ANALYTICS_COLUMNS = ["churn_probability", "churn_risk_band", "is_whale"]


@dataclass
class Analysed:
    engine: warehouse.Engine
    build: WarehouseFigures
    view_before: pd.DataFrame  # the Single Customer View before any analytics run
    run: AnalyticsRun


@pytest.fixture(scope="session")
def analysed(real_cleaned, tmp_path_factory):
    path = tmp_path_factory.mktemp("analytics_warehouse") / "warehouse.duckdb"
    with warehouse.connect(f"duckdb:///{path.as_posix()}") as engine:
        engine.deploy()
        build = load_batch(engine, real_cleaned, real_cleaned.ledger.table())
        view_before = engine.query("SELECT * FROM mart.single_customer_view ORDER BY customer_id;")
        yield Analysed(engine, build, view_before, analyse_warehouse(engine, AnalyticsParameters()))


@pytest.fixture(scope="session")
def inputs(analysed):
    return read_inputs(analysed.engine)


class Rollback(Exception):
    """Raised to roll back a transaction a test opened on the shared warehouse."""


def table_rows(engine, table: str) -> pd.DataFrame:
    return engine.query(f"SELECT * FROM {table} ORDER BY {KEYS[table]};")


def all_results(engine) -> dict[str, pd.DataFrame]:
    return {table: table_rows(engine, table) for table in TABLES}


# -- what was written ----------------------------------------------------------------------------


def test_every_table_is_written_with_one_run_id_and_the_build_batch(analysed):
    run = analysed.run
    for table in TABLES:
        rows = analysed.engine.query(f"SELECT run_id, batch_id, COUNT(*) AS n FROM {table} GROUP BY run_id, batch_id;")
        assert rows[["run_id", "batch_id"]].values.tolist() == [[run.run_id, analysed.build.batch_id]], table
        assert rows["n"][0] == run.rows_written[table], table
    assert run.as_of_date == analysed.build.as_of_date == dt.date(2011, 12, 10)


def test_the_python_types_are_the_tables_types(analysed):
    """The Arrow schema each run writes equals the DDL (names, order, decimal precision and scale)."""
    for table, columns in TABLES.items():
        schema, name = table.split(".")
        actual = analysed.engine.connection.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
            [schema, name],
        ).fetchall()
        assert [column for column, _ in actual] == list(columns), table
        for (column, data_type), arrow_type in zip(actual, columns.values(), strict=True):
            if data_type.startswith("DECIMAL"):
                assert data_type == f"DECIMAL({arrow_type.precision},{arrow_type.scale})", (table, column)


def test_written_rules_agree_with_counts_recomputed_from_the_fact_table(analysed):
    engine = analysed.engine
    rules = table_rows(engine, "mart.product_association")
    assert len(rules) == analysed.run.rules > 50
    # independently: baskets straight from dw.fact_sales, merchandise only, baskets over 100 products out
    lines = engine.query(
        "SELECT f.invoice_no AS invoice_no, f.stock_code AS stock_code FROM dw.fact_sales AS f "
        "INNER JOIN dw.dim_product AS p ON p.stock_code = f.stock_code WHERE p.product_type = N'product';"
    ).drop_duplicates()
    sizes = lines.groupby("invoice_no")["stock_code"].transform("size")
    lines = lines[sizes <= 100]
    baskets = lines["invoice_no"].nunique()
    invoices_of = lines.groupby("stock_code")["invoice_no"].agg(set)

    def count(codes: list[str]) -> int:
        return len(set.intersection(*(invoices_of[code] for code in codes)))

    assert set(rules["total_baskets"]) == {baskets}
    for rule in rules.itertuples():
        left, right = rule.antecedent_codes.split(SEPARATOR), rule.consequent_codes.split(SEPARATOR)
        both, antecedent, consequent = count(left + right), count(left), count(right)
        assert (rule.both_baskets, rule.antecedent_baskets, rule.consequent_baskets) == (both, antecedent, consequent)
        assert float(rule.support) == pytest.approx(both / baskets, abs=1e-10)
        assert float(rule.confidence) == pytest.approx(both / antecedent, abs=1e-10)
        assert float(rule.lift) == pytest.approx(both * baskets / (antecedent * consequent), abs=1e-9)
        assert float(rule.leverage) == pytest.approx(both / baskets - antecedent * consequent / baskets**2, abs=1e-10)
        assert rule.confidence >= Decimal("0.3") and rule.lift >= 1
    assert rules["rule_rank"].tolist() == list(range(1, len(rules) + 1))
    assert rules["lift"].is_monotonic_decreasing


def test_no_written_rule_pairs_a_product_with_itself(analysed):
    rules = table_rows(analysed.engine, "mart.product_association")
    descriptions = analysed.engine.query("SELECT stock_code, description FROM dw.dim_product;").set_index("stock_code")["description"]
    for rule in rules.itertuples():
        left, right = rule.antecedent_codes.split(SEPARATOR), rule.consequent_codes.split(SEPARATOR)
        assert not set(left) & set(right)
        assert not set(rule.antecedent_descriptions.split(SEPARATOR)) & set(rule.consequent_descriptions.split(SEPARATOR))
        # the readable strings are dw.dim_product's canonical descriptions, in code order
        assert rule.antecedent_descriptions == SEPARATOR.join(descriptions[code] for code in left)
        assert (rule.antecedent_items, rule.consequent_items) == (len(left), len(right))


def test_the_published_france_rule_through_the_warehouse(analysed, inputs):
    """Min support 0.07 on France's invoices, postage out, every basket kept: mined from the
    warehouse's inputs, written to mart.product_association, read back (rolled back afterwards)."""
    engine = analysed.engine
    parameters = ProductAssociationParameters(min_support=0.07, min_confidence=0.0, country="France", max_basket_items=None)
    rows = product_association_rows(inputs, parameters).assign(run_id="france", batch_id=inputs.batch_id)
    with pytest.raises(Rollback):
        with engine.transaction():
            write_results(engine, {"mart.product_association": typed_table(rows, TABLES["mart.product_association"])})
            green_red = engine.query(
                "SELECT * FROM mart.product_association WHERE antecedent_codes = @antecedent AND consequent_codes = @consequent;",
                {"antecedent": "22726", "consequent": "22727"},
            ).iloc[0]
            strongest = engine.query("SELECT lift FROM mart.product_association WHERE rule_rank = 1;")["lift"][0]
            raise Rollback
    assert (green_red["antecedent_descriptions"], green_red["consequent_descriptions"]) == (
        "ALARM CLOCK BAKELIKE GREEN", "ALARM CLOCK BAKELIKE RED",
    )  # fmt: skip
    counts = ["both_baskets", "antecedent_baskets", "consequent_baskets", "total_baskets"]
    assert green_red[counts].tolist() == [31, 38, 37, 379]
    assert float(green_red["lift"]) == pytest.approx(31 * 379 / (38 * 37), abs=1e-9)
    assert round(green_red["lift"], 3) == Decimal("8.356")
    assert float(green_red["confidence"]) == pytest.approx(31 / 38, abs=1e-10)
    assert (green_red["country"], green_red["max_basket_items"], green_red["min_support"]) == ("France", None, Decimal("0.07"))
    assert strongest == green_red["lift"]  # the strongest rule of the run
    assert table_rows(engine, "mart.product_association")["run_id"].unique().tolist() == [analysed.run.run_id]  # rolled back


def test_segment_validation_is_written_with_its_conclusion(analysed):
    rows = table_rows(analysed.engine, "mart.segment_validation")
    run = analysed.run
    assert rows["segment"].tolist()[0] == "Champions" and len(rows) == 11
    assert set(rows["segment"]) == set(analysed.engine.query("SELECT DISTINCT segment FROM mart.rfm_segment_map;")["segment"])
    assert rows["customers"].sum() == len(rfm_at_cutoff_customers(analysed, run.segment_cutoff))
    assert rows["conclusion"].unique().tolist() == [run.segment_conclusion]
    assert rows["is_supported"].unique().tolist() == [run.segments_supported] == [True]
    assert run.segment_conclusion.startswith("Supported: Champions (n=528)")
    assert (rows["cutoff_date"].unique().tolist(), rows["horizon_months"].unique().tolist()) == ([dt.date(2011, 6, 10)], [6])
    others = rows.iloc[1:]
    assert (others["p_value_holm"] < Decimal("0.05")).all() and rows.loc[0, "p_value_holm"] is None
    assert rows["future_mean_value"].idxmax() == 0
    assert [float(v) for v in rows["future_mean_value"]] == pytest.approx(run.segment_table["future_mean_value"].tolist(), abs=5e-5)
    assert (rows["future_mean_ci_low"] <= rows["future_mean_value"]).all() and (rows["future_mean_value"] <= rows["future_mean_ci_high"]).all()
    assert rows.loc[rows["segment"] == "Can't Lose Them", ["in_sample_rank", "future_rank"]].values.tolist() == [[2, 5]]


def rfm_at_cutoff_customers(analysed, cutoff: dt.date) -> pd.DataFrame:
    return analysed.engine.query("SELECT DISTINCT customer_id FROM dw.fact_sales WHERE invoice_date < @cutoff;", {"cutoff": cutoff})


def test_churn_scores_every_customer_and_its_evaluation_is_out_of_time(analysed):
    engine, run = analysed.engine, analysed.run
    churn = table_rows(engine, "mart.customer_churn_risk")
    rfm = engine.query("SELECT customer_id, as_of_date, net_revenue FROM mart.customer_rfm ORDER BY customer_id;")
    assert churn["customer_id"].tolist() == rfm["customer_id"].tolist()  # every current customer, 4,338
    assert churn["net_revenue"].tolist() == rfm["net_revenue"].tolist()  # exact: the warehouse's own figure
    assert set(churn["as_of_date"]) == {dt.date(2011, 12, 10)} and set(churn["model_cutoff_date"]) == {dt.date(2011, 9, 11)}
    probability = churn["churn_probability"].astype(float)
    expected_band = ["high" if p >= 0.6 else "medium" if p >= 0.3 else "low" for p in probability]
    assert churn["risk_band"].tolist() == expected_band
    at_risk = churn[churn["is_high_value_at_risk"]]
    assert len(at_risk) == len(run.high_value_at_risk) > 0 and (at_risk["risk_band"] == "high").all()
    assert at_risk["net_revenue"].astype(float).min() >= rfm["net_revenue"].astype(float).quantile(0.8)
    evaluation = table_rows(engine, "mart.churn_model_evaluation").set_index("scorer")
    assert (evaluation.loc["model", "train_cutoff_date"], evaluation.loc["model", "test_cutoff_date"]) == (dt.date(2011, 6, 13), dt.date(2011, 9, 11))
    assert (evaluation.loc["model", "train_customers"], evaluation.loc["model", "test_customers"]) == (2_821, 3_370)
    assert float(evaluation.loc["model", "roc_auc"]) == pytest.approx(run.churn_auc, abs=1e-6)
    assert run.churn_auc > run.baseline_auc + 0.03 and run.churn_lift > run.baseline_lift


def test_whales_are_the_top_one_percent_by_net_revenue(analysed):
    whales = table_rows(analysed.engine, "mart.customer_whale")
    rfm = analysed.engine.query("SELECT customer_id, net_revenue FROM mart.customer_rfm;")
    expected = rfm.sort_values(["net_revenue", "customer_id"], ascending=[False, True], ignore_index=True)
    n_whales = math.ceil(0.01 * len(rfm))
    assert set(whales.loc[whales["is_whale"], "customer_id"]) == set(expected["customer_id"][:n_whales])
    share = sum(expected["net_revenue"][:n_whales]) / sum(expected["net_revenue"])
    assert (analysed.run.whales, round(analysed.run.whale_revenue_share, 4)) == (44, 0.2997)
    assert analysed.run.whale_revenue_share == pytest.approx(float(share))


def test_the_run_summary_reports_every_figure(analysed):
    text = "\n".join(analysed.run.summary_lines())
    fragments = (
        f"Product association: {analysed.run.rules:,} rules", "Supported: Champions", "ROC AUC 0.740 (recency baseline 0.683)",
        "44 of 4,338 customers", "high-value customers at risk",
    )  # fmt: skip
    for fragment in fragments:
        assert fragment in text
    assert len(analysed.run.top_rules) == 10


# -- the Single Customer View --------------------------------------------------------------------


def test_the_view_has_no_analytics_before_a_run_and_every_customer_after(analysed):
    before = analysed.view_before
    assert list(before.columns[-3:]) == SCV_ANALYTICS_COLUMNS
    assert before[SCV_ANALYTICS_COLUMNS].isna().all().all() and len(before) == 4_338
    view = analysed.engine.query("SELECT * FROM mart.single_customer_view ORDER BY customer_id;")
    assert view["customer_id"].tolist() == before["customer_id"].tolist()
    assert view[SCV_ANALYTICS_COLUMNS].notna().all().all()
    churn = table_rows(analysed.engine, "mart.customer_churn_risk")
    whales = table_rows(analysed.engine, "mart.customer_whale")
    assert view["churn_probability"].tolist() == churn["churn_probability"].tolist()
    assert view["churn_risk_band"].tolist() == churn["risk_band"].tolist()
    assert view["is_whale"].tolist() == whales["is_whale"].tolist()
    pd.testing.assert_frame_equal(view.drop(columns=SCV_ANALYTICS_COLUMNS), before.drop(columns=SCV_ANALYTICS_COLUMNS))


def test_the_view_hides_scores_of_another_as_of_date(analysed):
    """A rebuild at another as-of date leaves the scores of the old one out of the view (rolled back)."""
    engine = analysed.engine
    with pytest.raises(Rollback):
        with engine.transaction():
            engine.execute("mart.BuildCustomerRfm", batch_id=analysed.build.batch_id, as_of_date=dt.date(2011, 11, 1))
            view = engine.query("SELECT churn_probability, churn_risk_band, is_whale FROM mart.single_customer_view;")
            raise Rollback
    assert len(view) > 0 and view.isna().all().all()


# -- RFM: Python and T-SQL agree -----------------------------------------------------------------

RFM_COLUMNS = "customer_id, as_of_date, last_purchase_at, recency_days, frequency, monetary, r_score, f_score, m_score, rfm_code"


def assert_rfm_equal(python: pd.DataFrame, mart: pd.DataFrame) -> None:
    assert len(python) == len(mart) > 0
    assert python["customer_id"].tolist() == mart["customer_id"].tolist()
    assert [d.date() for d in python["as_of_date"]] == mart["as_of_date"].tolist()
    assert python["last_purchase_at"].tolist() == pd.to_datetime(mart["last_purchase_at"]).tolist()
    for column in ("recency_days", "frequency", "r_score", "f_score", "m_score"):
        assert python[column].tolist() == mart[column].astype("int64").tolist(), column
    assert [Decimal(f"{value:.4f}") for value in python["monetary"]] == mart["monetary"].tolist()
    assert python["rfm_code"].tolist() == mart["rfm_code"].tolist()


def test_rfm_at_cutoff_equals_mart_customer_rfm_row_for_row(analysed, inputs):
    mart = analysed.engine.query(f"SELECT {RFM_COLUMNS} FROM mart.customer_rfm ORDER BY customer_id;")
    assert_rfm_equal(rfm_at_cutoff(inputs.sales, inputs.as_of), mart)
    assert len(mart) == 4_338


def test_rfm_at_the_segment_cutoff_equals_the_procedure_at_that_date(analysed, inputs):
    """mart.BuildCustomerRfm @as_of_date = the validation's cutoff, in a rolled-back transaction."""
    engine, cutoff = analysed.engine, analysed.run.segment_cutoff
    with pytest.raises(Rollback):
        with engine.transaction():
            engine.execute("mart.BuildCustomerRfm", batch_id=analysed.build.batch_id, as_of_date=cutoff)
            mart = engine.query(f"SELECT {RFM_COLUMNS} FROM mart.customer_rfm ORDER BY customer_id;")
            raise Rollback
    assert_rfm_equal(rfm_at_cutoff(inputs.sales, cutoff), mart)
    assert engine.query("SELECT DISTINCT as_of_date FROM mart.customer_rfm;")["as_of_date"].tolist() == [dt.date(2011, 12, 10)]


# -- parameters, typing, refusals ----------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"segment_months": 0}, "segment_months must be an integer within [1, 24]. Got 0."),
        ({"alpha": 0}, "alpha must be a number within the interval (0, 0.5]. Got 0."),
        ({"churn_horizon_days": 1.5}, "churn_horizon_days must be an integer within [7, 365]. Got 1.5."),
        ({"high_value_quantile": 1}, "high_value_quantile must be a number within the interval [0, 1). Got 1."),
        ({"whale_customer_share": True}, "whale_customer_share must be a number within the interval (0, 0.5]. Got True."),
        (
            {"product_association": {"min_support": 0.1}},
            "product_association must be a ProductAssociationParameters. Got {'min_support': 0.1}.",
        ),
        ({"segment_cutoff": "2011-06-09"}, "segment_cutoff must be a date, or None for the as-of date less segment_months. Got '2011-06-09'."),
    ],
)
def test_parameters_are_checked(arguments, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        AnalyticsParameters(**arguments)


def test_typed_tables_carry_exact_decimals_and_nulls():
    table = typed_table(
        pd.DataFrame({"a": [0.1 + 0.2, float("inf"), None], "b": [Decimal("1.23456"), Decimal("2"), float("nan")]}),
        {"a": TABLES["mart.customer_whale"]["net_revenue"], "b": TABLES["mart.customer_whale"]["net_revenue"]},
    )
    assert table.column("a").to_pylist() == [Decimal("0.3000"), None, None]
    assert table.column("b").to_pylist() == [Decimal("1.2346"), Decimal("2.0000"), None]


def test_a_warehouse_without_a_build_is_refused_and_nothing_is_written(seeded_warehouse):
    with pytest.raises(NotEnoughData, match=r"^mart\.customer_rfm is empty: build the warehouse"):
        analyse_warehouse(seeded_warehouse)
    assert seeded_warehouse.query("SELECT COUNT(*) AS n FROM mart.product_association;")["n"][0] == 0


# -- re-runs and failures (these change the shared warehouse: keep them last) --------------------


def test_running_again_replaces_every_result(analysed):
    before = all_results(analysed.engine)
    again = analyse_warehouse(analysed.engine, AnalyticsParameters())
    assert again.run_id != analysed.run.run_id
    after = all_results(analysed.engine)
    for table in TABLES:
        assert after[table]["run_id"].unique().tolist() == [again.run_id], table
        pd.testing.assert_frame_equal(after[table].drop(columns="run_id"), before[table].drop(columns="run_id"), obj=table)
    analysed.run = again


def test_a_failure_mid_write_leaves_the_previous_results(analysed, monkeypatch):
    engine = analysed.engine
    before = all_results(engine)
    view_before = engine.query("SELECT * FROM mart.single_customer_view ORDER BY customer_id;")
    loaded = []
    real_bulk_load = engine.bulk_load

    def failing_bulk_load(table, frame):
        if table == "mart.customer_churn_risk":  # after two tables were emptied and reloaded
            raise warehouse.ProcedureError("disk full (simulated)", 1105)
        loaded.append(table)
        return real_bulk_load(table, frame)

    monkeypatch.setattr(engine, "bulk_load", failing_bulk_load)
    with pytest.raises(warehouse.ProcedureError, match="simulated"):
        analyse_warehouse(engine, AnalyticsParameters())
    assert loaded == ["mart.product_association", "mart.segment_validation"]
    after = all_results(engine)
    for table in TABLES:
        pd.testing.assert_frame_equal(after[table], before[table], obj=table)
    pd.testing.assert_frame_equal(engine.query("SELECT * FROM mart.single_customer_view ORDER BY customer_id;"), view_before)
