"""Everything the executive outputs show, read once from the warehouse (`mart`, `dw`, `etl`) on
either engine: plain T-SQL reads returning DataFrames, gathered in one `ExecutiveData`.

The deck, the HTML dashboard and the extracts all take an `ExecutiveData`, so the three tell the
same story from the same numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from etl.reports import WarehouseFigures, cohort_summary, current_ledger, segment_summary, warehouse_figures
from warehouse.engine import Engine

# Per calendar month: sales revenue, orders, customers and the returns booked that month.
MONTHLY = """
WITH sales AS (
    SELECT d.month_start AS month_start, SUM(f.revenue) AS revenue, COUNT(DISTINCT f.invoice_no) AS orders,
           COUNT(DISTINCT f.customer_id) AS customers, MIN(d.calendar_date) AS first_day, MAX(d.calendar_date) AS last_day
    FROM dw.fact_sales AS f
    INNER JOIN dw.dim_date AS d ON d.date_key = f.date_key
    GROUP BY d.month_start
),
returns AS (
    SELECT d.month_start AS month_start, SUM(r.revenue) AS returns_revenue
    FROM dw.fact_returns AS r
    INNER JOIN dw.dim_date AS d ON d.date_key = r.date_key
    GROUP BY d.month_start
)
SELECT s.month_start AS month_start, s.revenue AS revenue, COALESCE(r.returns_revenue, 0) AS returns_revenue,
       s.orders AS orders, s.customers AS customers, s.first_day AS first_day, s.last_day AS last_day
FROM sales AS s
LEFT JOIN returns AS r ON r.month_start = s.month_start
ORDER BY s.month_start;
"""

CUSTOMERS = "SELECT * FROM mart.single_customer_view AS v ORDER BY v.customer_id;"
COHORT_MATRIX = """
SELECT c.cohort_month AS cohort_month, c.month_index AS month_index, c.cohort_size AS cohort_size,
       c.active_customers AS active_customers, c.retention_rate AS retention_rate
FROM mart.cohort_retention AS c
ORDER BY c.cohort_month, c.month_index;
"""
RULES = """
SELECT r.rule_rank AS rule_rank, r.antecedent_descriptions AS antecedent, r.consequent_descriptions AS consequent,
       r.support AS support, r.confidence AS confidence, r.lift AS lift, r.both_baskets AS both_baskets, r.total_baskets AS total_baskets
FROM mart.product_association AS r
ORDER BY r.rule_rank;
"""
SEGMENT_VALIDATION = "SELECT * FROM mart.segment_validation AS s ORDER BY s.segment_order;"
# The list to act on (mart.customer_churn_risk), scored at the RFM as-of date like the Single Customer View.
HIGH_VALUE_AT_RISK = """
SELECT ch.customer_id AS customer_id, ch.is_high_value_at_risk AS is_high_value_at_risk
FROM mart.customer_churn_risk AS ch
INNER JOIN mart.customer_rfm AS r ON r.customer_id = ch.customer_id AND r.as_of_date = ch.as_of_date
ORDER BY ch.customer_id;
"""


@dataclass
class ExecutiveData:
    """The warehouse's story for business readers; empty frames where a step has not run yet.

    customers: one row per customer of mart.single_customer_view (RFM, segment, country,
    churn_probability, churn_risk_band, is_whale; the last three NULL before analytics ran).
    monthly: month_start, revenue, returns_revenue, orders, customers, first_day, last_day.
    cohorts: cohort_month, month_index, cohort_size, active_customers, retention_rate.
    rules: product association rules by rank (antecedent, consequent descriptions, support...).
    """

    figures: WarehouseFigures
    ledger: pd.DataFrame
    segments: pd.DataFrame
    cohort_summary: pd.DataFrame
    cohorts: pd.DataFrame
    monthly: pd.DataFrame
    customers: pd.DataFrame
    rules: pd.DataFrame
    segment_validation: pd.DataFrame
    # customer_id, is_high_value_at_risk (high risk band and high net revenue); empty before analytics ran
    churn_risk: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["customer_id", "is_high_value_at_risk"]))

    @property
    def is_empty(self) -> bool:
        """No file loaded yet: nothing to report but that."""
        return self.figures.batch_id is None or self.customers.empty

    @property
    def period(self) -> tuple[dt.date, dt.date] | None:
        """First and last day with a sale."""
        if self.monthly.empty:
            return None
        return _date(self.monthly["first_day"].iloc[0]), _date(self.monthly["last_day"].iloc[-1])

    @property
    def partial_last_month(self) -> bool:
        """The last month of the data is not complete (e.g. 9 days of December 2011)."""
        if self.monthly.empty:
            return False
        last_day = _date(self.monthly["last_day"].iloc[-1])
        return (last_day + dt.timedelta(days=1)).month == last_day.month

    @property
    def first_cohort(self) -> dt.date | None:
        """The first cohort holds every customer already active when the data starts, not new ones."""
        return None if self.cohorts.empty else _date(self.cohorts["cohort_month"].min())

    @property
    def has_analytics(self) -> bool:
        """The analytics run wrote its results (churn scores, whales, rules)."""
        return not self.customers.empty and self.customers["churn_probability"].notna().any()


def read_executive_data(engine: Engine) -> ExecutiveData:
    """Read every figure the executive outputs need, from a deployed warehouse (built or not)."""
    return ExecutiveData(
        figures=warehouse_figures(engine),
        ledger=current_ledger(engine),
        segments=segment_summary(engine),
        cohort_summary=cohort_summary(engine),
        cohorts=_floats(engine.query(COHORT_MATRIX), ("retention_rate",)),
        monthly=_floats(engine.query(MONTHLY), ("revenue", "returns_revenue")),
        customers=_floats(
            engine.query(CUSTOMERS),
            ("monetary", "average_order_value", "net_revenue", "returns_revenue", "churn_probability"),
        ),
        rules=_floats(engine.query(RULES), ("support", "confidence", "lift")),
        segment_validation=engine.query(SEGMENT_VALIDATION),
        churn_risk=engine.query(HIGH_VALUE_AT_RISK),
    )


def _floats(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """DECIMAL columns as floats for charts and sentences (the warehouse keeps the exact values)."""
    for column in columns:
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def _date(value) -> dt.date:
    return pd.Timestamp(value).date()
