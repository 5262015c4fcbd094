"""RFM at a cutoff (SQL Server NTILE) and segments from the warehouse's map.

The segment map is the warehouse's mart.rfm_segment_map, seeded by mart.SeedRfmSegmentMap into an
in-memory DuckDB warehouse once per session (the `segment_map` fixture of conftest.py).
"""

import re

import duckdb
import numpy as np
import pandas as pd
import pytest

from analytics.marts.inputs import read_segment_map
from analytics.rfm import assign_segments, ntile, rfm_at_cutoff
from tests.analytics.sale_lines import sales_of

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
    connection = duckdb.connect()
    connection.register("sales", real_sales[["customer_id", "invoice_no", "invoice_date", "revenue"]])
    reference = connection.sql(
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
