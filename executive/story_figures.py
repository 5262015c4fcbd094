"""The figures behind the takeaways, shared by the deck and the dashboard so both show the same
numbers: the headline KPIs and their comparison with the prior period, segment value, cohort
retention, high-value customers at risk, and the formatting of money, rates and months.

Definitions: net revenue is sales less returns; the return rate is the value returned over the
value sold; the partial last month (e.g. 9 days of December 2011) is left out of comparisons; the
first cohort holds every customer already active when the data starts, so it is left out of
retention; high-value means net revenue in the top 20% (as analytics.churn.high_value_at_risk).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from executive.data import ExecutiveData

COMPARISON_MONTHS = 3  # the last full 3 months against the 3 before
HIGH_VALUE_QUANTILE = 0.8  # high-value: net revenue in the top 20% (analytics.churn.high_value_at_risk)
HIGH_RISK = "high"


@dataclass(frozen=True)
class Comparison:
    """Net revenue, orders and return rate of the last full months against the months before."""

    current_months: tuple[dt.date, dt.date]  # first and last month (month starts)
    prior_months: tuple[dt.date, dt.date]
    net_revenue: tuple[float, float]  # (current, prior)
    orders: tuple[int, int]
    return_rate: tuple[float, float]
    monthly_customers: tuple[float, float]  # average customers buying per month (distinct customers do not add up)


@dataclass(frozen=True)
class Headline:
    """The headline KPIs over the whole period, and the comparison where the data allows one."""

    net_revenue: float
    sales_revenue: float
    returns_revenue: float  # negative
    customers: int
    orders: int
    return_rate: float
    comparison: Comparison | None


@dataclass(frozen=True)
class Retention:
    """Customer-weighted retention at one month after the first purchase."""

    month_index: int
    rate: float | None  # None when no cohort is old enough
    customers: int  # customers of the cohorts counted
    cohorts: int  # cohorts counted
    too_young: int  # cohorts whose month is not complete in the data yet


# --- formatting -----------------------------------------------------------------------------


def money(value: float) -> str:
    """Whole pounds sterling with thousands separators: £8,278,519 (the data set is in sterling)."""
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.0f}"


def percent(rate: float, digits: int = 1) -> str:
    """A 0-1 rate as a percentage: 0.0685 -> 6.8%."""
    return f"{100 * rate:.{digits}f}%"


def month_name(value) -> str:
    return pd.Timestamp(value).strftime("%B %Y")


def day_name(value) -> str:
    stamp = pd.Timestamp(value)
    return f"{stamp.day} {stamp.strftime('%B %Y')}"


def count(number: int, noun: str, plural: str | None = None) -> str:
    """'1 customer', '4,338 customers'."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def change(current: float, prior: float) -> str:
    """'up 12.3%' / 'down 4.0%' / 'flat'; 'not comparable' when the prior value is zero."""
    if not prior:
        return "not comparable (nothing in the prior period)"
    ratio = current / prior - 1
    if abs(ratio) < 0.0005:
        return "flat"
    return f"{'up' if ratio > 0 else 'down'} {percent(abs(ratio))}"


# --- shared figures -------------------------------------------------------------------------


def period_text(data: ExecutiveData) -> str:
    """'1 December 2010 to 9 December 2011', or that no sales are loaded."""
    if data.period is None:
        return "no sales loaded"
    first, last = data.period
    return day_name(first) if first == last else f"{day_name(first)} to {day_name(last)}"


def partial_period_note(data: ExecutiveData) -> str | None:
    """The sentence flagging the partial last month, or None when the last month is complete."""
    if not data.partial_last_month:
        return None
    last = data.period[1]
    days = int(pd.Timestamp(data.monthly["last_day"].iloc[-1]).day)
    return f"{month_name(last)} is a partial month (the data stops on {day_name(last)}, {count(days, 'day')} in), so it is left out of comparisons."


def full_months(data: ExecutiveData) -> pd.DataFrame:
    """The monthly series without the partial last month."""
    return data.monthly.iloc[:-1] if data.partial_last_month else data.monthly


def headline_figures(data: ExecutiveData) -> Headline | None:
    """Net revenue, customers, orders and return rate; None when no sales are loaded."""
    if data.is_empty or data.monthly.empty:
        return None
    monthly = data.monthly
    sales, returns = float(monthly["revenue"].sum()), float(monthly["returns_revenue"].sum())
    return Headline(
        net_revenue=sales + returns,
        sales_revenue=sales,
        returns_revenue=returns,
        customers=len(data.customers),
        orders=int(monthly["orders"].sum()),
        return_rate=_return_rate(sales, returns),
        comparison=_comparison(full_months(data)),
    )


def segment_value(data: ExecutiveData) -> pd.DataFrame:
    """Per segment (most net revenue first): customers, customer_share, net_revenue, value_share."""
    customers = data.customers
    if customers.empty:
        return pd.DataFrame(columns=["segment", "customers", "customer_share", "net_revenue", "value_share"])
    table = customers.groupby("segment").agg(customers=("customer_id", "size"), net_revenue=("net_revenue", "sum")).reset_index()
    table["customer_share"] = table["customers"] / table["customers"].sum()
    total = table["net_revenue"].sum()
    table["value_share"] = table["net_revenue"] / total if total else 0.0
    table = table.sort_values(["net_revenue", "segment"], ascending=[False, True], ignore_index=True)
    return table[["segment", "customers", "customer_share", "net_revenue", "value_share"]]


def retention_at(data: ExecutiveData, month_index: int) -> Retention:
    """Retention `month_index` months after the first purchase, weighted by cohort size, over the
    cohorts whose month is complete in the data; the first cohort is left out."""
    cohorts = data.cohorts
    if cohorts.empty:
        return Retention(month_index, None, 0, 0, 0)
    sizes = cohorts.groupby("cohort_month")["cohort_size"].max()
    sizes = sizes[[_date(month) != data.first_cohort for month in sizes.index]]
    cells = cohorts[cohorts["month_index"] == month_index].set_index("cohort_month")["active_customers"]
    old_enough = [month for month in sizes.index if cell_is_complete(data, month, month_index)]
    counted = sizes.loc[old_enough]
    active = sum(int(cells.get(month, 0)) for month in old_enough)
    rate = active / counted.sum() if len(counted) and counted.sum() else None
    return Retention(month_index, rate, int(counted.sum()), len(counted), len(sizes) - len(counted))


def cell_is_complete(data: ExecutiveData, cohort_month, month_index: int) -> bool:
    """The cohort's month `month_index` is a full month of the data (not past its end, not partial)."""
    months = full_months(data)
    if months.empty:
        return False
    month = pd.Timestamp(cohort_month) + pd.DateOffset(months=month_index)
    return month <= pd.Timestamp(months["month_start"].iloc[-1])


def high_value_at_risk(data: ExecutiveData) -> pd.DataFrame:
    """High-risk customers whose net revenue is in the top 20% (as mart.customer_churn_risk flags
    them): customer_id, segment, country, net_revenue, churn_probability, most net revenue first."""
    scored = data.customers[data.customers["churn_probability"].notna()] if not data.customers.empty else data.customers
    if scored.empty:
        return pd.DataFrame(columns=["customer_id", "segment", "country", "net_revenue", "churn_probability"])
    threshold = scored["net_revenue"].quantile(HIGH_VALUE_QUANTILE)
    at_risk = scored[(scored["churn_risk_band"] == HIGH_RISK) & (scored["net_revenue"] >= threshold)]
    at_risk = at_risk.sort_values(["net_revenue", "customer_id"], ascending=[False, True], ignore_index=True)
    return at_risk[["customer_id", "segment", "country", "net_revenue", "churn_probability"]]


def high_value_threshold(data: ExecutiveData) -> float | None:
    scored = data.customers[data.customers["churn_probability"].notna()] if not data.customers.empty else data.customers
    return None if scored.empty else float(scored["net_revenue"].quantile(HIGH_VALUE_QUANTILE))


# --- helpers --------------------------------------------------------------------------------


def _comparison(months: pd.DataFrame) -> Comparison | None:
    if len(months) < 2 * COMPARISON_MONTHS:
        return None
    current, prior = months.iloc[-COMPARISON_MONTHS:], months.iloc[-2 * COMPARISON_MONTHS : -COMPARISON_MONTHS]

    def totals(frame: pd.DataFrame) -> tuple[float, int, float]:
        sales, returns = float(frame["revenue"].sum()), float(frame["returns_revenue"].sum())
        return sales + returns, int(frame["orders"].sum()), _return_rate(sales, returns)

    (net_now, orders_now, rate_now), (net_before, orders_before, rate_before) = totals(current), totals(prior)
    return Comparison(
        current_months=(_date(current["month_start"].iloc[0]), _date(current["month_start"].iloc[-1])),
        prior_months=(_date(prior["month_start"].iloc[0]), _date(prior["month_start"].iloc[-1])),
        net_revenue=(net_now, net_before),
        orders=(orders_now, orders_before),
        return_rate=(rate_now, rate_before),
        monthly_customers=(float(current["customers"].mean()), float(prior["customers"].mean())),
    )


def _return_rate(sales: float, returns: float) -> float:
    return -returns / sales if sales else 0.0


def _date(value) -> dt.date:
    return pd.Timestamp(value).date()
