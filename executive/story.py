"""The takeaways of the executive handoff: one plain-English sentence per topic, numbers included,
computed from an `ExecutiveData`; the deck and the dashboard print the same sentences.

Each sentence says so when the data does not support a claim (an empty warehouse, analytics not
run yet, too few months to compare); nothing here raises on thin data.

Shared definitions (the deck and the dashboard use these helpers, not their own arithmetic):
net revenue is sales less returns; the return rate is the value returned over the value sold;
the partial last month (e.g. 9 days of December 2011) is left out of comparisons; the first
cohort holds every customer already active when the data starts, so it is left out of retention.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import pandas as pd

from executive.data import ExecutiveData
from executive.story_figures import (
    COMPARISON_MONTHS,
    HIGH_RISK,
    Comparison,
    Headline,
    Retention,
    cell_is_complete,
    change,
    count,
    day_name,
    full_months,
    headline_figures,
    high_value_at_risk,
    high_value_threshold,
    money,
    month_name,
    partial_period_note,
    percent,
    period_text,
    retention_at,
    segment_value,
)

# The shared figures are importable from here too (the deck and the dashboard use either module).
__all__ = [
    "COMPARISON_MONTHS",
    "HIGH_RISK",
    "Comparison",
    "Headline",
    "Retention",
    "Takeaways",
    "cell_is_complete",
    "change",
    "count",
    "day_name",
    "full_months",
    "headline_figures",
    "high_value_at_risk",
    "high_value_threshold",
    "money",
    "month_name",
    "partial_period_note",
    "percent",
    "period_text",
    "retention_at",
    "segment_value",
    "takeaways",
]

RETENTION_MONTHS = (1, 3)
NO_DATA = "No data has been loaded into the warehouse yet, so there is nothing to report."
NO_ANALYTICS = "The analytics have not run on this data yet"
RULE_NAMES = {
    "missing_customer": "no customer ID",
    "exact_duplicate": "exact duplicate",
    "stock_write_off": "stock write-off",
    "zero_price": "zero price",
    "bad_debt_adjustment": "bad-debt adjustment",
    "test_transaction": "test transaction",
    "zero_quantity": "zero quantity",
    "cancellation_not_negative": "cancellation with a positive quantity",
    "unparseable_value": "values that could not be read",
}


@dataclass(frozen=True)
class Takeaways:
    """One sentence per topic of the handoff."""

    headline: str
    monthly: str
    segments: str
    champions: str
    cohorts: str
    rules: str
    churn: str
    whales: str
    data_quality: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


# --- the sentences --------------------------------------------------------------------------


def takeaways(data: ExecutiveData) -> Takeaways:
    """Every takeaway sentence of the handoff; on an empty warehouse each one says no data is loaded."""
    if data.is_empty:
        return Takeaways(**dict.fromkeys(Takeaways.__dataclass_fields__, NO_DATA))
    return Takeaways(
        headline=_headline(data),
        monthly=_monthly(data),
        segments=_segments(data),
        champions=_champions(data),
        cohorts=_cohorts(data),
        rules=_rules(data),
        churn=_churn(data),
        whales=_whales(data),
        data_quality=_data_quality(data),
    )


def _headline(data: ExecutiveData) -> str:
    figures = headline_figures(data)
    if figures is None:
        return "No sales are loaded, so there are no headline figures."
    text = (
        f"{'On' if data.period[0] == data.period[1] else 'From'} {period_text(data)}, {count(figures.customers, 'customer')} placed "
        f"{count(figures.orders, 'order')} worth "
        f"{money(figures.net_revenue)} in net revenue (sales less returns); {percent(figures.return_rate)} of the value sold was returned."
    )
    comparison = figures.comparison
    if comparison is None:
        full = len(full_months(data))
        months = count(full, "full month") if full else "no full month"
        text += f" With {months} of data there is no prior {COMPARISON_MONTHS}-month period to compare with."
    else:
        (now, before), (orders_now, orders_before) = comparison.net_revenue, comparison.orders
        text += (
            f" In {_span(comparison.current_months)}, net revenue was {money(now)}, {change(now, before)} on "
            f"{_span(comparison.prior_months)} ({money(before)}); orders {change(orders_now, orders_before)} "
            f"({orders_now:,} vs {orders_before:,}); return rate {percent(comparison.return_rate[0])} vs {percent(comparison.return_rate[1])}."
        )
    note = partial_period_note(data)
    return f"{text} {note}" if note else text


def _monthly(data: ExecutiveData) -> str:
    full = full_months(data)
    note = partial_period_note(data)
    if data.monthly.empty:
        return "No sales are loaded, so there is no monthly revenue."
    if full.empty:
        return f"Only a partial month of sales is loaded. {note}"
    best, worst = full.loc[full["revenue"].idxmax()], full.loc[full["revenue"].idxmin()]
    text = (
        f"Over {count(len(full), 'full month')}, monthly sales ran from {money(worst['revenue'])} ({month_name(worst['month_start'])}) "
        f"to {money(best['revenue'])} ({month_name(best['month_start'])})."
    )
    return f"{text} {note}" if note else text


def _segments(data: ExecutiveData) -> str:
    table = segment_value(data)
    if table.empty:
        return "No customer has an RFM segment yet, so there is no segment split."
    top = table.iloc[0]
    return (
        f"{top['segment']} hold the most value: {count(int(top['customers']), 'customer')} ({percent(top['customer_share'])} of "
        f"{int(table['customers'].sum()):,}) with {money(top['net_revenue'])}, {percent(top['value_share'])} of net revenue."
    )


def _champions(data: ExecutiveData) -> str:
    table = data.segment_validation
    if table.empty:
        why = "the analytics have not run yet" if not data.has_analytics else "the data is too short to hold back a later period"
        return f"Whether Champions really are the most valuable customers is not tested yet: {why}."
    champions = table.iloc[0]
    others = table.iloc[1:]
    window = f"in the {int(champions['horizon_months'])} months after {day_name(champions['cutoff_date'])}"
    figures = (
        f"Champions ({int(champions['customers']):,} customers at the time) spent {money(float(champions['future_mean_value']))} on average "
        f"{window} (95% confidence interval {money(float(champions['future_mean_ci_low']))} to {money(float(champions['future_mean_ci_high']))})"
    )
    if bool(champions["is_supported"]):
        runner_up = others.sort_values("future_mean_value", ascending=False).iloc[0] if len(others) else None
        versus = (
            f", against {money(float(runner_up['future_mean_value']))} for the next best, {runner_up['segment']}" if runner_up is not None else ""
        )
        return (
            f"Yes, Champions really are the most valuable customers: {figures}{versus}; they spent more than every other "
            f"segment, and chance is an unlikely explanation (each of the {len(others)} comparisons significant at the "
            f"{percent(float(champions['alpha']), 0)} level after correcting for multiple tests)."
        )
    return f"The data does not confirm that Champions are the most valuable customers: {figures}. {champions['conclusion']}"


def _cohorts(data: ExecutiveData) -> str:
    if data.cohorts.empty:
        return "No cohort retention is built yet."
    figures = [retention_at(data, month) for month in RETENTION_MONTHS]
    first = month_name(data.first_cohort)
    known = [figure for figure in figures if figure.rate is not None]
    if not known:
        text = f"Retention cannot be measured yet: the {first} cohort holds every customer already active when the data starts, not new ones"
        others = figures[0].too_young
        if others:
            text += f", and the other {count(others, 'cohort is', 'cohorts are')} too young to have a complete month {RETENTION_MONTHS[0]}"
        return text + "."
    parts = [
        f"{percent(figure.rate)} buy again in month {figure.month_index} ({count(figure.cohorts, 'cohort')}, {count(figure.customers, 'customer')})"
        for figure in known
    ]
    text = "Of new customers, " + " and ".join(parts) + f"; the {first} cohort is left out (it holds every customer already active, not new ones)"
    young = [f"{figure.too_young} too young for month {figure.month_index}" for figure in figures if figure.too_young]
    if young:
        text += ", and so are cohorts whose month is not complete yet (" + ", ".join(young) + ")"
    return text + "."


def _rules(data: ExecutiveData) -> str:
    if data.rules.empty:
        if not data.has_analytics:
            return f"{NO_ANALYTICS}, so there are no product association rules."
        return "No pair of products is bought together often enough to make a product association rule in this data."
    top = data.rules.iloc[0]
    return (
        f"Customers who buy {_products(top['antecedent'])} are {top['lift']:.1f} times as likely as the average shopper to buy "
        f"{_products(top['consequent'])}: {percent(top['confidence'], 0)} of baskets with the first also hold the second "
        f"({int(top['both_baskets']):,} of {int(top['total_baskets']):,} baskets hold both); {len(data.rules):,} rules in all."
    )


def _churn(data: ExecutiveData) -> str:
    if not data.has_analytics:
        return f"{NO_ANALYTICS}, so there are no churn risk scores."
    customers = data.customers
    high = customers[customers["churn_risk_band"] == HIGH_RISK]
    total = customers["net_revenue"].sum()
    at_risk = float(high["net_revenue"].sum())
    valuable = high_value_at_risk(data)
    threshold = high_value_threshold(data)
    return (
        f"{count(len(high), 'customer')} ({percent(len(high) / len(customers))}) are at high risk of churning (churn probability 60% or more); "
        f"they hold {money(at_risk)} of net revenue ({percent(at_risk / total) if total else 'n/a'}) - the revenue at risk. "
        f"{len(valuable):,} of them are high-value customers (net revenue of {money(threshold)} or more, the top 20%)."
    )


def _whales(data: ExecutiveData) -> str:
    if not data.has_analytics:
        return f"{NO_ANALYTICS}, so whales are not flagged."
    customers = data.customers
    whales = customers[customers["is_whale"].fillna(False).astype(bool)]
    total = customers["net_revenue"].sum()
    revenue = float(whales["net_revenue"].sum())
    share = percent(revenue / total) if total else "n/a"
    return (
        f"The whales, the top {percent(len(whales) / len(customers))} of {count(len(customers), 'customer')} by net revenue "
        f"({count(len(whales), 'whale')}), hold {money(revenue)}: {share} of all customers' net revenue."
    )


def _data_quality(data: ExecutiveData) -> str:
    ledger = data.ledger
    if ledger.empty:
        return "No cleaning ledger is recorded, so the rows in and out cannot be accounted for."
    rows_in = int(ledger["rows"].sum())
    by = ledger.groupby("disposition")["rows"].sum()
    excluded = ledger[ledger["disposition"] == "excluded"].sort_values("rows", ascending=False)
    text = (
        f"{rows_in:,} raw rows came in: {int(by.get('sale', 0)):,} sale lines kept, {int(by.get('return', 0)):,} return lines "
        f"kept as returns, and {int(by.get('excluded', 0)):,} ({percent(by.get('excluded', 0) / rows_in) if rows_in else 'n/a'}) left out"
    )
    if excluded.empty:
        return text + "."
    reasons = [f"{RULE_NAMES.get(row.rule, str(row.rule).replace('_', ' '))} ({int(row.rows):,})" for row in excluded.itertuples()]
    return f"{text}: {', '.join(reasons)}."


# --- helpers --------------------------------------------------------------------------------


def _span(months: tuple[dt.date, dt.date]) -> str:
    first, last = months
    if first.year == last.year:
        return f"{pd.Timestamp(first).strftime('%B')} to {month_name(last)}"
    return f"{month_name(first)} to {month_name(last)}"


def _products(side: str) -> str:
    """'A | B' -> 'A and B', descriptions in sentence case for reading."""
    names = [name.strip().capitalize() for name in str(side).split(" | ")]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
