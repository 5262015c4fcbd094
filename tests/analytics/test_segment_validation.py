"""The out-of-time test of Champions: the statistics by hand and against scipy, the verdict, the real data.

The segment map is the warehouse's mart.rfm_segment_map (the `segment_map` fixture of conftest.py).
"""

import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics.rfm import assign_segments, rfm_at_cutoff
from analytics.segment_validation import bootstrap_mean_ci, future_value, holm, rank_biserial, validate_segments
from tests.analytics.sale_lines import sales_of

# --- the statistics ------------------------------------------------------------------------


def test_holm_by_hand():
    # sorted: 0.01 x 3 = 0.03; 0.03 x 2 = 0.06; 0.04 x 1 = 0.04 -> kept non-decreasing: 0.06
    assert holm([0.01, 0.04, 0.03]).tolist() == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.6]).tolist() == [1.0, 1.0]  # capped at 1
    assert holm([0.02]).tolist() == [0.02]


def test_rank_biserial_by_hand_and_against_scipy():
    # [3, 4, 5] against [1, 2]: every pair won -> U = 6 of 6 -> r = 1
    u = stats.mannwhitneyu([3, 4, 5], [1, 2], alternative="greater").statistic
    assert (u, rank_biserial(u, 3, 2)) == (6.0, 1.0)
    # [1, 3] against [2]: one pair won, one lost -> U = 1 -> r = 0
    assert rank_biserial(stats.mannwhitneyu([1, 3], [2]).statistic, 2, 1) == 0.0
    # ties count half: [1, 2] against [2] -> U = 0.5 -> r = -0.5 (= Cliff's delta: (0 - 1) / 2)
    assert rank_biserial(stats.mannwhitneyu([1, 2], [2]).statistic, 2, 1) == -0.5


def test_bootstrap_interval_is_seeded_and_sane():
    values = np.random.default_rng(1).exponential(100, size=200)
    first = bootstrap_mean_ci(values, np.random.default_rng(7))
    assert first == bootstrap_mean_ci(values, np.random.default_rng(7))
    assert first[0] < values.mean() < first[1]
    assert bootstrap_mean_ci([0.0, 0.0, 0.0], np.random.default_rng(7)) == (0.0, 0.0)


def three_segment_data(champions_come_back: bool):
    """Champions 1-4, Loyal 5-8, Lost 9-12: all bought before 2011-03-01; after it as asked."""
    before = [(c, f"b{c}", "2011-01-15", 100.0 * c) for c in range(1, 13)]
    spend = {c: (1000.0 + c if champions_come_back else 0.0) for c in range(1, 5)}
    spend |= {c: 50.0 + c for c in range(5, 9)} | {c: float(c - 9) for c in range(9, 13)}
    after = [(c, f"a{c}", "2011-04-15", value) for c, value in spend.items() if value > 0]
    after.append((99, "z", "2011-09-30", 1.0))  # someone's sale ends the data after the window
    segments = pd.DataFrame({"customer_id": range(1, 13), "segment": ["Champions"] * 4 + ["Loyal Customers"] * 4 + ["Lost"] * 4})
    return segments, sales_of(before + after), spend


def test_validation_statistics_match_scipy_on_the_groups():
    segments, sales, spend = three_segment_data(champions_come_back=True)
    result = validate_segments(segments, sales, "2011-03-01", months=6, n_resamples=500)
    groups = {
        "Champions": [spend[c] for c in range(1, 5)],
        "Loyal Customers": [spend[c] for c in range(5, 9)],
        "Lost": [spend[c] for c in range(9, 13)],
    }
    kruskal = stats.kruskal(*groups.values())
    assert (result.kruskal_statistic, result.kruskal_p_value) == pytest.approx((kruskal.statistic, kruskal.pvalue))
    # three groups of 4 fully separated: H = 12 / (12 x 13) x (10^2 + 26^2 + 42^2) / 4 - 3 x 13
    assert result.kruskal_statistic == pytest.approx(12 / 156 * (100 + 676 + 1764) / 4 - 39)
    table = result.table.set_index("segment")
    assert list(table.index) == ["Champions", "Loyal Customers", "Lost"]
    p_values = []
    for name in ["Loyal Customers", "Lost"]:
        test = stats.mannwhitneyu(groups["Champions"], groups[name], alternative="greater")
        assert table.loc[name, "mann_whitney_u"] == test.statistic == 16.0
        assert table.loc[name, "p_value"] == pytest.approx(test.pvalue)
        assert table.loc[name, "rank_biserial"] == 1.0
        p_values.append(test.pvalue)
    assert table.loc[["Loyal Customers", "Lost"], "p_value_holm"].tolist() == pytest.approx(holm(p_values).tolist())
    assert table.loc["Champions", "future_mean_value"] == pytest.approx(np.mean(groups["Champions"]))
    assert table.loc["Lost", "returning_share"] == 0.75  # customer 9 spent 0
    # in sample: customers' spend before the cutoff was 100 x id
    assert table["in_sample_mean_value"].tolist() == pytest.approx([250.0, 650.0, 1050.0])
    assert table["in_sample_rank"].tolist() == [3, 2, 1]
    assert table["future_rank"].tolist() == [1, 2, 3]
    low, high = table.loc["Champions", ["future_mean_ci_low", "future_mean_ci_high"]]
    assert low <= table.loc["Champions", "future_mean_value"] <= high


def test_the_conclusion_says_so_when_the_data_support_the_claim():
    segments, sales, _ = three_segment_data(champions_come_back=True)
    result = validate_segments(segments, sales, "2011-03-01", n_resamples=500)
    # 4 against 4 fully separated: one-sided exact p = 1/70, Holm x 2 = 0.029 < 0.05
    assert result.supported
    assert result.conclusion.startswith("Supported: Champions (n=4) spent on average 1,002.50")


def test_the_conclusion_says_so_when_the_data_do_not_support_the_claim():
    segments, sales, _ = three_segment_data(champions_come_back=False)
    result = validate_segments(segments, sales, "2011-03-01", n_resamples=500)
    assert not result.supported
    assert result.conclusion.startswith("Not supported by the data: Champions (n=4) spent on average 0.00")
    assert "not significantly larger than those of Loyal Customers" in result.conclusion
    assert "a higher or equal mean future value was reached by Loyal Customers (56.50), Lost (1.50)" in result.conclusion


def test_future_value_counts_only_the_window():
    sales = sales_of([(1, "a", "2011-02-28", 5.0), (1, "b", "2011-03-01", 7.0), (1, "c", "2011-08-31 23:00", 11.0), (1, "d", "2011-09-01", 13.0)])
    assert future_value(sales, [1, 2], "2011-03-01", months=6).tolist() == [18.0, 0.0]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s.assign(customer_id=[1, 1, 2]), "segments must have one row per customer_id."),
        (lambda s: s.assign(segment="Lost"), "segments must include 'Champions' and at least one other segment. Got ['Lost']."),
        (
            lambda s: s.assign(customer_id=[1, 2, 7]),
            "1 customers in segments have no sale before the cutoff 2011-03-01 (e.g. [7]): segments must be assigned from data before it.",
        ),
    ],
)
def test_validation_contracts(change, message):
    sales = sales_of([(c, f"b{c}", "2011-01-01", 1.0) for c in (1, 2, 3)] + [(7, "c", "2011-04-01", 1.0), (9, "d", "2011-12-01", 1.0)])
    segments = pd.DataFrame({"customer_id": [1, 2, 3], "segment": ["Champions", "Lost", "Lost"]})
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        validate_segments(change(segments), sales, "2011-03-01")


def test_the_window_must_end_within_the_data():
    sales = sales_of([(1, "a", "2011-01-01", 1.0), (2, "b", "2011-05-31 10:00", 1.0)])
    segments = pd.DataFrame({"customer_id": [1], "segment": ["Champions"]})
    message = (
        "the 6-month window after 2011-03-01 ends 2011-09-01, after the data (last sale day 2011-05-31); choose an earlier cutoff or fewer months."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        validate_segments(segments, sales, "2011-03-01")


def test_on_the_real_data_champions_are_worth_most_out_of_time(real_sales, segment_map):
    cutoff = "2011-06-09"  # six months of future: to the day after the last sale, 2011-12-09
    segments = assign_segments(rfm_at_cutoff(real_sales, cutoff), segment_map)
    result = validate_segments(segments[["customer_id", "segment"]], real_sales, cutoff)
    table = result.table.set_index("segment")
    assert len(table) == 11 and table["customers"].sum() == len(segments)
    assert result.supported, result.conclusion
    assert result.conclusion.startswith("Supported: Champions (n=511)")
    assert (table.drop(index="Champions")["p_value_holm"] < 0.05).all()
    assert table["future_mean_value"].idxmax() == "Champions"
    # the circular in-sample ranking and the out-of-time one differ below the top
    assert table.loc["Can't Lose Them", "in_sample_rank"] == 2 and table.loc["Can't Lose Them", "future_rank"] == 4
    assert table.loc["Loyal Customers", "future_rank"] == 2
    assert result.kruskal_p_value < 1e-100
