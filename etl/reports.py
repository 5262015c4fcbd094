"""What a run reports from the warehouse: the ledger, the headline figures, segments, cohorts.

Plain T-SQL reads on either engine, each returning a DataFrame (or a small dataclass) that the
flows publish as Prefect artifacts and `cip run` prints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from warehouse.engine import Engine

# The cleaning ledger of every source the warehouse holds, from the source's latest batch
# (etl.cleaning_ledger is written inside etl.BuildWarehouse, so only built batches appear).
CURRENT_LEDGER = """
SELECT
    l.batch_id AS batch_id,
    l.source AS source,
    l.disposition AS disposition,
    l.rule_name AS rule_name,
    l.row_count AS row_count,
    l.revenue AS revenue
FROM etl.cleaning_ledger AS l
WHERE l.batch_id = (SELECT MAX(g.batch_id) FROM etl.cleaning_ledger AS g WHERE g.source = l.source)
ORDER BY l.source, l.disposition, l.rule_name;
"""

SEGMENTS = """
WITH customers AS (
    SELECT v.segment AS segment, v.monetary AS monetary, v.frequency AS frequency, v.recency_days AS recency_days
    FROM mart.single_customer_view AS v
),
totals AS (
    SELECT COUNT(*) AS customer_count, SUM(c.monetary) AS revenue
    FROM customers AS c
)
SELECT
    c.segment AS segment,
    COUNT(*) AS customers,
    CAST(100.0 * COUNT(*) / MAX(t.customer_count) AS DECIMAL(9, 2)) AS customers_pct,
    CAST(SUM(c.monetary) AS DECIMAL(19, 2)) AS revenue,
    CAST(100.0 * SUM(c.monetary) / MAX(t.revenue) AS DECIMAL(9, 2)) AS revenue_pct,
    CAST(AVG(c.monetary) AS DECIMAL(19, 2)) AS average_revenue,
    CAST(AVG(CAST(c.frequency AS DECIMAL(19, 4))) AS DECIMAL(9, 2)) AS average_orders,
    CAST(AVG(CAST(c.recency_days AS DECIMAL(19, 4))) AS DECIMAL(9, 1)) AS average_recency_days
FROM customers AS c
CROSS JOIN totals AS t
GROUP BY c.segment
ORDER BY SUM(c.monetary) DESC, c.segment;
"""

# One row per acquisition cohort: its size, the share still buying 1, 3, 6 and 12 months later
# (NULL where the data does not reach that month yet) and its lifetime revenue.
COHORTS = """
SELECT
    c.cohort_month AS cohort_month,
    MAX(c.cohort_size) AS cohort_size,
    MAX(CASE WHEN c.month_index = 1 THEN c.retention_rate END) AS month_1,
    MAX(CASE WHEN c.month_index = 3 THEN c.retention_rate END) AS month_3,
    MAX(CASE WHEN c.month_index = 6 THEN c.retention_rate END) AS month_6,
    MAX(CASE WHEN c.month_index = 12 THEN c.retention_rate END) AS month_12,
    CAST(SUM(c.revenue) AS DECIMAL(19, 2)) AS revenue
FROM mart.cohort_retention AS c
GROUP BY c.cohort_month
ORDER BY c.cohort_month;
"""


@dataclass(frozen=True)
class WarehouseFigures:
    """Headline figures of the warehouse for a batch (etl.GetWarehouseFigures; etl.BuildWarehouse
    returns the same row after a build)."""

    batch_id: int | None  # None in an empty warehouse
    sales_lines_loaded: int
    return_lines_loaded: int
    fact_sales_rows: int
    fact_returns_rows: int
    customers: int
    products: int
    countries: int
    rfm_customers: int
    segments: int
    cohorts: int
    as_of_date: dt.date | None
    sales_revenue: float

    @classmethod
    def from_row(cls, row: pd.Series) -> WarehouseFigures:
        counts = [name for name in cls.__dataclass_fields__ if name not in ("batch_id", "as_of_date", "sales_revenue")]
        return cls(
            batch_id=None if pd.isna(row["batch_id"]) else int(row["batch_id"]),
            as_of_date=row["as_of_date"],
            sales_revenue=float(row["sales_revenue"]),
            **{name: int(row[name]) for name in counts},
        )


def current_ledger(engine: Engine) -> pd.DataFrame:
    """The cleaning ledger of every source in the warehouse (its latest batch): batch_id, source,
    disposition, rule, rows, revenue."""
    frame = engine.query(CURRENT_LEDGER).rename(columns={"rule_name": "rule", "row_count": "rows"})
    return frame.astype({"batch_id": "int64", "rows": "int64", "revenue": "float64"})


def warehouse_figures(engine: Engine, batch_id: int | None = None) -> WarehouseFigures:
    """EXEC etl.GetWarehouseFigures: the figures for a batch (default: the latest succeeded one)."""
    return WarehouseFigures.from_row(engine.execute("etl.GetWarehouseFigures", batch_id=batch_id).rows.iloc[0])


def segment_summary(engine: Engine) -> pd.DataFrame:
    """Per RFM segment: customers, revenue, their shares and averages, largest revenue first."""
    return _floats(engine.query(SEGMENTS), ("customers_pct", "revenue", "revenue_pct", "average_revenue", "average_orders", "average_recency_days"))


def cohort_summary(engine: Engine) -> pd.DataFrame:
    """Per monthly cohort: size, retention 1/3/6/12 months later (0-1) and revenue."""
    return _floats(engine.query(COHORTS), ("month_1", "month_3", "month_6", "month_12", "revenue"))


def _floats(frame: pd.DataFrame, columns) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame
