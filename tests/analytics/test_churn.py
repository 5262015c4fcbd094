"""Churn risk: features by hand, labels, evaluation metrics, and no leakage across the cutoff."""

import re

import numpy as np
import pandas as pd
import pytest

from analytics.churn import (
    FEATURES,
    churn_labels,
    customer_features,
    evaluate_churn_model,
    high_value_at_risk,
    risk_band,
    score_customers,
    top_decile_lift,
)

TRAIN_CUTOFF, TEST_CUTOFF = "2011-06-13", "2011-09-11"  # the test labels' 90 days end 2011-12-10


def lines(rows) -> pd.DataFrame:
    """Lines from (customer_id, invoice_no, datetime, stock_code, revenue) tuples."""
    frame = pd.DataFrame(rows, columns=["customer_id", "invoice_no", "invoice_date", "stock_code", "revenue"])
    frame["invoice_date"] = pd.to_datetime(frame["invoice_date"], format="ISO8601")
    return frame


HAND_SALES = lines(
    [
        (1, "s1", "2011-01-01 09:00", "A", 10.0),
        (1, "s1", "2011-01-01 09:00", "B", 30.0),
        (1, "s2", "2011-03-02 18:00", "A", 20.0),
        (1, "s3", "2011-03-31 08:00", "C", 60.0),
        (2, "s4", "2010-12-01 10:00", "A", 5.0),
        (1, "s5", "2011-04-01 00:00", "Z", 1e6),  # on the cutoff day: after it
        (3, "s6", "2011-05-01 10:00", "A", 7.0),  # a customer who first buys after the cutoff
    ]
)
HAND_RETURNS = lines([(1, "c1", "2011-03-05 10:00", "A", -15.0), (1, "c2", "2011-04-02 10:00", "C", -60.0)])


def test_features_by_hand():
    features = customer_features(HAND_SALES, HAND_RETURNS, "2011-04-01")
    assert list(features.columns) == FEATURES
    assert list(features.index) == [1, 2]
    one = features.loc[1]
    assert (one["recency_days"], one["tenure_days"], one["frequency"]) == (1, 90, 3)  # last 03-31, first 01-01
    assert (one["monetary"], one["average_order_value"]) == (120.0, 40.0)
    assert one["mean_interpurchase_days"] == 89 / 2  # 3 purchase days spread over 89 days
    assert one["recency_over_interval"] == pytest.approx(1 / 44.5)
    assert one["distinct_products"] == 3
    assert (one["invoices_last_30_days"], one["invoices_last_90_days"], one["invoices_last_180_days"]) == (1, 2, 3)  # ages 1, 30, 90
    assert (one["revenue_last_90_days"], one["revenue_previous_90_days"]) == (80.0, 40.0)
    assert (one["return_invoices"], one["returned_value"]) == (1, 15.0)  # the 04-02 return is after the cutoff
    two = features.loc[2]
    assert np.isnan(two["mean_interpurchase_days"]) and np.isnan(two["recency_over_interval"])  # one purchase
    assert (two["recency_days"], two["invoices_last_180_days"], two["return_invoices"]) == (121, 1, 0)


def test_labels_look_only_at_the_horizon_after_the_cutoff():
    churned = churn_labels(HAND_SALES, [1, 2], "2011-04-01", horizon_days=30)
    assert churned.to_dict() == {1: False, 2: True}  # customer 1 bought on the cutoff day
    assert churn_labels(HAND_SALES, [1], "2011-04-02", horizon_days=30).to_dict() == {1: True}


def test_top_decile_lift_by_hand():
    churned = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]  # overall rate 0.1
    assert top_decile_lift(churned, [9, 1, 1, 1, 1, 1, 1, 1, 1, 1]) == 10.0  # the top 1 of 10 churned
    assert top_decile_lift(churned, [0, 1, 1, 1, 1, 1, 1, 1, 1, 1]) == 0.0
    # 20 customers: the top decile is 2 customers, one of whom churned; overall 4 of 20
    churned = [1, 0, 1, 1, 1] + [0] * 15
    assert top_decile_lift(churned, list(range(20, 0, -1))) == pytest.approx(0.5 / 0.2)


def test_risk_bands_by_threshold():
    probability = pd.Series([0.0, 0.29, 0.3, 0.59, 0.6, 1.0])
    assert risk_band(probability).tolist() == ["low", "low", "medium", "medium", "high", "high"]


def test_high_value_at_risk_keeps_high_risk_customers_above_the_value_quantile():
    scores = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4, 5],
            "net_revenue": [10.0, 500.0, 400.0, 300.0, 20.0],
            "risk_band": ["high", "high", "low", "high", "high"],
        }
    )
    # median net revenue: 300 -> customers 2 and 4 (3 is at low risk)
    assert high_value_at_risk(scores, 0.5)["customer_id"].tolist() == [2, 4]
    # 60th percentile: 300 + 0.4 x (400 - 300) = 340 -> customer 2 alone
    assert high_value_at_risk(scores, 0.6)["customer_id"].tolist() == [2]
    with pytest.raises(ValueError, match=re.escape("value_quantile must be within the interval [0, 1). Got 1.")):
        high_value_at_risk(scores, 1)


def test_evaluation_contracts(real_sales, real_returns):
    message = "test_cutoff 2011-08-01 must be at least horizon_days (90) after train_cutoff 2011-06-13, when the training labels are known."
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        evaluate_churn_model(real_sales, real_returns, TRAIN_CUTOFF, "2011-08-01")
    message = "the 90-day label window after 2011-10-01 ends 2011-12-30, after the data (last sale day 2011-12-09)."
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        evaluate_churn_model(real_sales, real_returns, TRAIN_CUTOFF, "2011-10-01")
    with pytest.raises(ValueError, match=re.escape("horizon_days must be a positive integer. Got 0.")):
        score_customers(real_sales, real_returns, horizon_days=0)


# --- the real data -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def evaluation(real_sales, real_returns):
    return evaluate_churn_model(real_sales, real_returns, TRAIN_CUTOFF, TEST_CUTOFF)


def test_the_model_beats_the_recency_baseline_out_of_time(evaluation):
    table = evaluation.table.set_index("scorer")
    assert (evaluation.train_customers, evaluation.test_customers) == (2_821, 3_370)
    assert table.loc["model", "roc_auc"] > table.loc["recency baseline", "roc_auc"] + 0.03
    assert table.loc["model", "roc_auc"] > 0.72
    assert table.loc["model", "top_decile_lift"] > table.loc["recency baseline", "top_decile_lift"]
    assert 0.3 < evaluation.test_churn_rate < 0.6


def test_the_evaluation_is_deterministic(real_sales, real_returns, evaluation):
    again = evaluate_churn_model(real_sales, real_returns, TRAIN_CUTOFF, TEST_CUTOFF)
    pd.testing.assert_frame_equal(again.table, evaluation.table)


def future_rows(frame: pd.DataFrame, cutoff: str) -> pd.DataFrame:
    """Every row again, dated after `cutoff` and worth 1000 times as much, plus a brand-new customer."""
    shifted = frame.assign(
        invoice_date=pd.Timestamp(cutoff) + (frame["invoice_date"] - frame["invoice_date"].min()),
        invoice_no="F" + frame["invoice_no"],
        revenue=frame["revenue"] * 1000,
    )
    newcomer = shifted.iloc[:5].assign(customer_id=-1)
    return pd.concat([frame, shifted, newcomer], ignore_index=True)


def test_rows_on_or_after_the_cutoff_never_change_features(real_sales, real_returns):
    """Would catch leakage: a feature that read any row dated at or after its cutoff changes here."""
    cutoff = TEST_CUTOFF
    before = customer_features(real_sales, real_returns, cutoff)
    after = customer_features(future_rows(real_sales, cutoff), future_rows(real_returns, cutoff), cutoff)
    pd.testing.assert_frame_equal(before, after)


def test_rows_after_the_test_window_never_change_the_evaluation_or_the_scores(real_sales, real_returns, evaluation):
    """Would catch leakage: the model, its test and the scores see nothing past their windows."""
    end = "2011-12-10"  # the end of the test labels' window and the scoring as-of date
    sales, returns = future_rows(real_sales, end), future_rows(real_returns, end)
    again = evaluate_churn_model(sales, returns, TRAIN_CUTOFF, TEST_CUTOFF)
    pd.testing.assert_frame_equal(again.table, evaluation.table)
    pd.testing.assert_frame_equal(score_customers(sales, returns, as_of=end), score_customers(real_sales, real_returns, as_of=end))


def test_every_current_customer_is_scored(real_sales, real_returns):
    scores = score_customers(real_sales, real_returns)
    assert len(scores) == 4_338 and scores["customer_id"].is_unique
    assert scores["churn_probability"].between(0, 1).all()
    assert set(scores["risk_band"]) == {"low", "medium", "high"}
    at_risk = high_value_at_risk(scores)
    assert len(at_risk) > 0 and (at_risk["risk_band"] == "high").all()
    assert at_risk["net_revenue"].min() >= scores["net_revenue"].quantile(0.8)
    # the customer who bought 168,469.60 and returned all of it on the same day is no high-value customer
    assert 16446 not in set(at_risk["customer_id"])
