"""RFM at a cutoff (SQL Server NTILE), segments from the warehouse's map, and the out-of-time test of Champions.

The segment map is the warehouse's mart.rfm_segment_map, seeded by mart.SeedRfmSegmentMap into an
in-memory DuckDB warehouse once per session (the `segment_map` fixture of conftest.py).
"""

import re

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics.segment_validation import (
    assign_segments,
    bootstrap_mean_ci,
    future_value,
    holm,
    ntile,
    rank_biserial,
    rfm_at_cutoff,
    validate_segments,
)
from analytics.warehouse_analytics import read_segment_map


def sales_of(rows) -> pd.DataFrame:
    """Sale lines from (customer_id, invoice_no, date, revenue) tuples."""
    frame = pd.DataFrame(rows, columns=["customer_id", "invoice_no", "invoice_date", "revenue"])
    frame["invoice_date"] = pd.to_datetime(frame["invoice_date"], format="ISO8601")
    return frame


# --- NTILE ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rows, buckets",
    [
        (7, [1, 1, 2, 2, 3, 4, 5]),  # sizes 2, 2, 1, 1, 1: the first 7 % 5 buckets get one more
        (10, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]),
        (12, [1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 5]),
        (5, [1, 2, 3, 4, 5]),
        (3, [1, 2, 3]),  # fewer rows than buckets
        (1, [1]),
        (0, []),
    ],
)
def test_ntile_follows_sql_server(rows, buckets):
    assert ntile(rows).tolist() == buckets


def test_ntile_agrees_with_a_sql_engine_for_many_sizes():
    for rows in range(0, 60):
        sql = duckdb.sql(f"SELECT NTILE(5) OVER (ORDER BY i) AS b FROM range({rows}) t(i) ORDER BY i").fetchall()
        assert ntile(rows).tolist() == [b for (b,) in sql]


# --- RFM -----------------------------------------------------------------------------------


def test_rfm_at_cutoff_by_hand():
    sales = sales_of(
        [
            (1, "a", "2011-01-01 10:00", 10.0),
            (1, "a", "2011-01-01 10:00", 5.0),  # two lines, one invoice
            (1, "b", "2011-01-09 23:59", 20.0),  # last purchase: the date counts, not the time
            (2, "c", "2011-01-05 08:00", 100.0),
            (3, "d", "2011-01-02 09:00", 1.0),
            (3, "e", "2011-01-03 09:00", 1.0),
            (3, "f", "2011-01-04 09:00", 1.0),
            (4, "g", "2011-01-08 12:00", 50.0),
            (5, "h", "2011-01-08 13:00", 50.0),  # ties with 4 on recency and monetary: customer_id decides
            (6, "i", "2011-01-10 00:00", 999.0),  # on the as-of day: not counted
        ]
    )
    rfm = rfm_at_cutoff(sales, "2011-01-10 15:00").set_index("customer_id")
    assert list(rfm.index) == [1, 2, 3, 4, 5]
    assert rfm["recency_days"].to_dict() == {1: 1, 2: 5, 3: 6, 4: 2, 5: 2}
    assert rfm["frequency"].to_dict() == {1: 2, 2: 1, 3: 3, 4: 1, 5: 1}
    assert rfm["monetary"].to_dict() == {1: 35.0, 2: 100.0, 3: 3.0, 4: 50.0, 5: 50.0}
    # 5 customers, 5 buckets. recency DESC, customer_id: 3 (6), 2 (5), 4 (2), 5 (2), 1 (1)
    assert rfm["r_score"].to_dict() == {3: 1, 2: 2, 4: 3, 5: 4, 1: 5}
    # frequency, customer_id: 2 (1), 4 (1), 5 (1), 1 (2), 3 (3)
    assert rfm["f_score"].to_dict() == {2: 1, 4: 2, 5: 3, 1: 4, 3: 5}
    # monetary, customer_id: 3 (3), 1 (35), 4 (50), 5 (50), 2 (100)
    assert rfm["m_score"].to_dict() == {3: 1, 1: 2, 4: 3, 5: 4, 2: 5}
    assert rfm.loc[1, "rfm_code"] == "542"
    assert (rfm["as_of_date"] == pd.Timestamp("2011-01-10")).all()


def test_the_default_as_of_is_the_day_after_the_latest_sale():
    sales = sales_of([(1, "a", "2011-01-01 10:00", 1.0), (2, "b", "2011-01-05 18:00", 1.0)])
    rfm = rfm_at_cutoff(sales).set_index("customer_id")
    assert rfm["recency_days"].to_dict() == {1: 5, 2: 1}


def test_rfm_without_sales_before_the_cutoff_is_an_error():
    with pytest.raises(ValueError, match=re.escape("no sale before as_of 2010-01-01.")):
        rfm_at_cutoff(sales_of([(1, "a", "2011-01-01", 1.0)]), "2010-01-01")


def test_real_rfm_matches_the_warehouse_sql_run_on_duckdb(real_sales):
    """The definitions of mart.BuildCustomerRfm, as one SQL statement over the same rows."""
    cutoff = pd.Timestamp("2011-06-09")
    sales = real_sales[["customer_id", "invoice_no", "invoice_date", "revenue"]]
    reference = duckdb.sql(
        """
        WITH m AS (
            SELECT customer_id,
                   date_diff('day', CAST(MAX(invoice_date) AS DATE), DATE '2011-06-09') AS recency_days,
                   COUNT(DISTINCT invoice_no) AS frequency,
                   CAST(SUM(CAST(revenue AS DECIMAL(19, 4))) AS DECIMAL(19, 4)) AS monetary
            FROM sales WHERE invoice_date < TIMESTAMP '2011-06-09' GROUP BY customer_id
        )
        SELECT customer_id, recency_days, frequency, CAST(monetary AS DOUBLE) AS monetary,
               NTILE(5) OVER (ORDER BY recency_days DESC, customer_id) AS r_score,
               NTILE(5) OVER (ORDER BY frequency, customer_id) AS f_score,
               NTILE(5) OVER (ORDER BY monetary, customer_id) AS m_score
        FROM m ORDER BY customer_id
        """
    ).df()
    ours = rfm_at_cutoff(real_sales, cutoff)
    assert len(ours) == len(reference) == 2_787
    for column in ["customer_id", "recency_days", "frequency", "r_score", "f_score", "m_score"]:
        assert ours[column].tolist() == reference[column].tolist(), column
    np.testing.assert_allclose(ours["monetary"], reference["monetary"], atol=1e-6)


def test_the_full_real_rfm_covers_every_customer(real_sales):
    rfm = rfm_at_cutoff(real_sales)
    assert len(rfm) == 4_338
    assert rfm["as_of_date"].iloc[0] == pd.Timestamp("2011-12-10")
    assert rfm["recency_days"].min() == 1
    # 4,338 = 5 x 867 + 3: the first three buckets get 868 customers
    assert rfm["r_score"].value_counts().sort_index().tolist() == [868, 868, 868, 867, 867]


# --- the segment map: the warehouse's, read through the engine ------------------------------

SEGMENT_NAMES = {
    "Champions", "Loyal Customers", "Potential Loyalists", "New Customers", "Promising", "Need Attention",
    "About to Sleep", "At Risk", "Can't Lose Them", "Hibernating", "Lost",
}  # fmt: skip


def test_the_warehouse_segment_map_covers_all_125_codes_with_the_11_segments(segment_map):
    assert len(segment_map) == 125 and segment_map["rfm_code"].is_unique
    assert segment_map["rfm_code"].tolist() == [f"{r}{f}{m}" for r in "12345" for f in "12345" for m in "12345"]
    assert set(segment_map["segment"]) == SEGMENT_NAMES


@pytest.mark.parametrize(
    "code, segment",
    [
        ("555", "Champions"),
        ("445", "Champions"),
        ("543", "Loyal Customers"),
        ("553", "Potential Loyalists"),
        ("511", "New Customers"),
        ("525", "Promising"),
        ("535", "Need Attention"),
        ("331", "About to Sleep"),
        ("255", "At Risk"),
        ("155", "Can't Lose Them"),
        ("332", "Hibernating"),
        ("111", "Lost"),
    ],
)
def test_segment_map_spot_checks(segment_map, code, segment):
    lookup = segment_map.set_index("rfm_code")["segment"]
    assert lookup[code] == segment


def test_assign_segments_needs_every_code_in_the_map(segment_map):
    rfm = pd.DataFrame({"customer_id": [1, 2], "rfm_code": ["555", "111"]})
    assert assign_segments(rfm, segment_map)["segment"].tolist() == ["Champions", "Lost"]
    with pytest.raises(ValueError, match=re.escape("segment_map lacks rfm codes ['111'].")):
        assign_segments(rfm, segment_map[segment_map["rfm_code"] != "111"])


def test_an_edited_warehouse_map_is_what_the_analytics_read(seeded_warehouse):
    """The map is data: an UPDATE is seen by the next read (rolled back here, the map is shared)."""
    with pytest.raises(RuntimeError, match="roll back"):
        with seeded_warehouse.transaction():
            seeded_warehouse.query("UPDATE mart.rfm_segment_map SET segment = N'VIP' WHERE rfm_code = N'555';")
            assert read_segment_map(seeded_warehouse).set_index("rfm_code").loc["555", "segment"] == "VIP"
            raise RuntimeError("roll back")
    assert read_segment_map(seeded_warehouse).set_index("rfm_code").loc["555", "segment"] == "Champions"


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
    segments = pd.DataFrame(
        {"customer_id": range(1, 13), "segment": ["Champions"] * 4 + ["Loyal Customers"] * 4 + ["Lost"] * 4}
    )
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
    sales = sales_of(
        [(1, "a", "2011-02-28", 5.0), (1, "b", "2011-03-01", 7.0), (1, "c", "2011-08-31 23:00", 11.0), (1, "d", "2011-09-01", 13.0)]
    )
    assert future_value(sales, [1, 2], "2011-03-01", months=6).tolist() == [18.0, 0.0]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s.assign(customer_id=[1, 1, 2]), "segments must have one row per customer_id."),
        (lambda s: s.assign(segment="Lost"), "segments must include 'Champions' and at least one other segment. Got ['Lost']."),
        (
            lambda s: s.assign(customer_id=[1, 2, 7]),
            "1 customers in segments have no sale before the cutoff 2011-03-01 (e.g. [7]): "
            "segments must be assigned from data before it.",
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
        "the 6-month window after 2011-03-01 ends 2011-09-01, after the data (last sale day 2011-05-31); "
        "choose an earlier cutoff or fewer months."
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
