"""The executive dashboard: one self-contained HTML file (plotly.js, the data and the page's
script inlined; it makes no request when opened, so it works as an e-mail attachment).

It tells the story of `executive.story` - each section opens with its takeaway sentence - with
interactive charts: headline KPIs, monthly net revenue (the partial last month marked), then,
for the country and segment chosen in the filter bar, the KPIs of the selection, segment sizes
and value share, the R x F heatmap of mean monetary value, the recency / frequency / monetary
histograms and churn probability against net revenue; for the whole data, whether Champions
really are the best customers, the cohort retention heatmap (the first cohort and the partial
last month flagged) and the product association rules (support against confidence, coloured by
lift). A section whose data is missing says what is missing; an empty warehouse gives a page
saying that no data was loaded.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from html import escape
from pathlib import Path

import pandas as pd
import plotly.io as pio
from plotly.offline import get_plotlyjs

from executive import dashboard_figures as charts
from executive.dashboard_script import SCRIPT, STYLE
from executive.data import ExecutiveData
from executive.story import (
    HIGH_RISK,
    Takeaways,
    change,
    day_name,
    headline_figures,
    high_value_threshold,
    money,
    partial_period_note,
    percent,
    period_text,
    segment_value,
    takeaways,
)

TITLE = "Customer intelligence"
UNSEGMENTED = "Unsegmented"
TOP_RULES = 10
NO_DATA_HELP = "Run the pipeline on a raw export (cip run) and the next dashboard fills itself."


def write_dashboard(data: ExecutiveData, path: Path) -> Path:
    """Write the dashboard to `path` (replacing the previous run's) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    story = takeaways(data)
    html = _empty_page(data, story) if data.is_empty else _page(data, story)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(html, encoding="utf-8")
    os.replace(partial, path)  # a reader never sees half a page
    return path


def customers_for_page(data: ExecutiveData) -> pd.DataFrame:
    """The Single Customer View as the page filters it: a segment for every customer."""
    customers = data.customers.copy()
    customers["segment"] = customers["segment"].fillna(UNSEGMENTED)
    customers["country_display_name"] = customers["country_display_name"].fillna(customers["country"]).fillna("Unknown")
    return customers


def payload(data: ExecutiveData) -> dict:
    """Everything the page's script reads: the figures, the customer rows the filters work on
    (columns of numbers, countries and segments as indexes) and the unfiltered summary."""
    customers = customers_for_page(data)
    table = segment_value(dataclasses.replace(data, customers=customers))
    segments = [*table["segment"]]
    countries = customers["country_display_name"].value_counts().sort_index().sort_values(ascending=False, kind="stable").index.tolist()
    means, counts = charts.rf_matrix(customers)
    analytics = data.has_analytics
    figures = {
        "chart-segments": charts.segment_bars(table),
        "chart-rf": charts.rf_heatmap(customers),
        "chart-distributions": charts.distributions(customers),
    }
    if not data.monthly.empty:
        figures["chart-monthly"] = charts.monthly_bars(data)
    if analytics:
        figures["chart-churn"] = charts.churn_scatter(customers[customers["churn_probability"].notna()], high_value_threshold(data))
    if not data.segment_validation.empty:
        figures["chart-validation"] = charts.validation_bars(data.segment_validation)
    if not data.cohorts.empty:
        figures["chart-cohorts"] = charts.cohort_heatmap(data)
    if not data.rules.empty:
        figures["chart-rules"] = charts.rules_scatter(data.rules)
    return {
        "segments": segments,
        "countries": countries,
        "hasAnalytics": bool(analytics),
        "frequencyCap": charts.FREQUENCY_CAP,
        "customers": {
            "id": customers["customer_id"].astype(int).tolist(),
            "country": customers["country_display_name"].map({name: index for index, name in enumerate(countries)}).tolist(),
            "segment": customers["segment"].map({name: index for index, name in enumerate(segments)}).tolist(),
            "r": _ints(customers["r_score"]),
            "f": _ints(customers["f_score"]),
            "recency": _ints(customers["recency_days"]),
            "frequency": _ints(customers["frequency"]),
            "monetary": _numbers(customers["monetary"], 4),  # the warehouse keeps ten-thousandths
            "net": _numbers(customers["net_revenue"], 4),
            "churn": _numbers(customers["churn_probability"], 4),
            "high": (customers["churn_risk_band"] == HIGH_RISK).astype(int).tolist(),
            "whale": charts.is_whale(customers).astype(int).tolist(),
        },
        "summary": {
            "segments": [
                {"segment": row.segment, "customers": int(row.customers), "net_revenue": float(row.net_revenue)} for row in table.itertuples()
            ],
            "rf_mean_monetary": means,
            "rf_customers": counts,
        },
        "figures": {name: json.loads(pio.to_json(figure, validate=False)) for name, figure in figures.items()},
    }


# --- the page -------------------------------------------------------------------------------


def _page(data: ExecutiveData, story: Takeaways) -> str:
    embedded = payload(data)
    customers = customers_for_page(data)
    body = "\n".join(
        [
            _header(data),
            _headline(data, story),
            _monthly(data, story),
            _filters(embedded),
            _selection(customers, data.has_analytics),
            _segments(embedded, story),
            _rfm(),
            _churn(data, story),
            _champions(data, story),
            _cohorts(data, story),
            _rules(data, story),
            _data_quality(data, story),
            _footer(data),
        ]
    )
    return _document(body, embedded)


def _document(body: str, data: dict | None) -> str:
    scripts = ""
    if data is not None:
        embedded = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")
        scripts = f'<script type="application/json" id="cip-data">{embedded}</script>\n<script>{get_plotlyjs()}</script>\n<script>{SCRIPT}</script>\n'
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{TITLE}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n{scripts}</body>\n</html>\n"
    )


def _empty_page(data: ExecutiveData, story: Takeaways) -> str:
    body = (
        f'<header><h1>{TITLE}</h1><p class="period">No data loaded</p></header>\n<main>\n'
        f'<section id="no-data"><h2>No data loaded</h2><p class="takeaway">{escape(story.headline)}</p>'
        f'<p class="missing">The warehouse holds no built batch yet. {escape(NO_DATA_HELP)}</p></section>\n</main>'
    )
    return _document(body, None)


def _header(data: ExecutiveData) -> str:
    figures = data.figures
    stamp = f"batch {figures.batch_id}" + (f", figures as of {day_name(figures.as_of_date)}" if figures.as_of_date else "")
    note = partial_period_note(data)
    return (
        f'<header><h1>{TITLE}</h1><p class="period">{escape(period_text(data))} &middot; {escape(stamp)}</p>'
        + (f'<p class="note" id="partial-month-note">{escape(note)}</p>' if note else "")
        + "</header>\n<main>"
    )


def _headline(data: ExecutiveData, story: Takeaways) -> str:
    figures = headline_figures(data)
    if figures is None:
        return _section("headline", "Headline figures", story.headline, _missing("No sales are loaded, so there are no headline figures."))
    comparison = figures.comparison
    orders = f"last 3 full months {change(*comparison.orders)} on the 3 before" if comparison else "too few full months to compare"
    cards = [
        _card("Net revenue", money(figures.net_revenue), "sales less returns", "headline-net-revenue"),
        _card("Customers", f"{figures.customers:,}", "with an RFM score", "headline-customers"),
        _card("Orders", f"{figures.orders:,}", orders, "headline-orders"),
        _card("Return rate", percent(figures.return_rate), "of the value sold", "headline-return-rate"),
    ]
    if comparison:
        recent = f"{change(*comparison.net_revenue)} on the 3 before"
        cards.insert(1, _card("Net revenue, last 3 full months", money(comparison.net_revenue[0]), recent, "headline-recent"))
    return _section("headline", "Headline figures", story.headline, f'<div class="kpis">{"".join(cards)}</div>', scope="All customers")


def _monthly(data: ExecutiveData, story: Takeaways) -> str:
    if data.monthly.empty:
        return _section("monthly", "Monthly net revenue", None, _missing(story.monthly), scope="All customers")
    return _section("monthly", "Monthly net revenue", story.monthly, _chart("chart-monthly"), scope="All customers")


def _filters(data: dict) -> str:
    def options(names: list[str], everything: str) -> str:
        return f'<option value="-1">{everything}</option>' + "".join(f'<option value="{i}">{escape(name)}</option>' for i, name in enumerate(names))

    return (
        '<nav class="filters" id="filters" aria-label="Filters">'
        f'<label>Country <select id="filter-country">{options(data["countries"], "All countries")}</select></label>'
        f'<label>Segment <select id="filter-segment">{options(data["segments"], "All segments")}</select></label>'
        '<button type="button" id="filter-reset">Show everyone</button>'
        f'<span id="filter-summary">Showing {len(data["customers"]["id"]):,} of {len(data["customers"]["id"]):,} customers</span>'
        '<span class="hint">The filters change the sections labelled with the choice (All countries &middot; all segments); '
        "the sentences describe all customers.</span>"
        "</nav>"
    )


def _selection(customers: pd.DataFrame, analytics: bool) -> str:
    net = float(customers["net_revenue"].sum())
    cards = [
        _card("Customers", f"{len(customers):,}", "in the selection", "kpi-customers"),
        _card("Net revenue", money(net), "these customers' sales less their returns", "kpi-net-revenue"),
        _card("Average sales value", money(float(customers["monetary"].mean())), "per customer (monetary)", "kpi-mean-monetary"),
    ]
    if analytics:
        whales = customers[charts.is_whale(customers)]
        high = customers[customers["churn_risk_band"] == HIGH_RISK]
        cards.append(
            _card("Whales", f"{len(whales):,}", f"hold {percent(_share(whales['net_revenue'].sum(), net))} of this net revenue", "kpi-whales")
        )
        cards.append(_card("High churn risk", f"{len(high):,}", f"{money(float(high['net_revenue'].sum()))} net revenue at risk", "kpi-high-risk"))
    else:
        cards.append(_card("Whales and churn risk", "n/a", "the analytics have not run yet", "kpi-analytics"))
    return _section("selection", "The customers chosen", None, f'<div class="kpis">{"".join(cards)}</div>')


def _segments(data: dict, story: Takeaways) -> str:
    rows = data["summary"]["segments"]
    total, value = sum(row["customers"] for row in rows), sum(row["net_revenue"] for row in rows)
    body = "".join(
        f'<tr data-segment="{escape(row["segment"])}"><th>{escape(row["segment"])}</th><td>{row["customers"]:,}</td>'
        f"<td>{percent(_share(row['customers'], total))}</td><td>{money(row['net_revenue'])}</td>"
        f"<td>{percent(_share(row['net_revenue'], value))}</td></tr>"
        for row in rows
    )
    table = (
        '<table id="segment-table"><thead><tr><th>Segment</th><th>Customers</th><th>% of customers</th><th>Net revenue</th>'
        f"<th>% of net revenue</th></tr></thead><tbody>{body}</tbody><tfoot><tr><th>All segments</th>"
        f'<td id="segment-total-customers">{total:,}</td><td>100%</td><td id="segment-total-revenue">{money(value)}</td><td>100%</td>'
        "</tr></tfoot></table>"
    )
    return _section("segments", "Customer segments", story.segments, _chart("chart-segments") + table)


def _rfm() -> str:
    text = (
        '<p class="explain">Each customer scores 1-5 on recency (R), frequency (F) and monetary value (M), in quintiles of all customers. '
        "Each cell below is the mean sales value of the customers with that R and F score; the top right are the best.</p>"
    )
    drawn = _chart("chart-rf") + "<h3>Distributions</h3>" + _chart("chart-distributions")
    return _section("rfm", "Recency, frequency and monetary value", None, text + drawn)


def _churn(data: ExecutiveData, story: Takeaways) -> str:
    if not data.has_analytics:
        return _section("churn", "Churn risk and whales", None, _missing(story.churn + " " + story.whales), scope="All customers")
    hidden = int((data.customers["net_revenue"] <= 0).sum())
    content = (
        f'<p class="takeaway">{escape(story.whales)}</p>'
        + _chart("chart-churn")
        + f'<p class="note"><span id="churn-hidden">{hidden:,}</span> customers with net revenue of £0 or less (they returned as much as they bought)'
        " are not on the log axis.</p>"
    )
    return _section("churn", "Churn risk and whales", story.churn, content)


def _champions(data: ExecutiveData, story: Takeaways) -> str:
    title = "Are Champions really the best customers?"
    if data.segment_validation.empty:
        return _section("champions", title, None, _missing(story.champions), scope="All customers")
    return _section("champions", title, story.champions, _chart("chart-validation"), scope="All customers")


def _cohorts(data: ExecutiveData, story: Takeaways) -> str:
    if data.cohorts.empty:
        return _section("cohorts", "Cohort retention", None, _missing(story.cohorts), scope="All customers")
    notes = [
        f"The first cohort ({pd.Timestamp(data.first_cohort).strftime('%B %Y')}, marked already active) holds every customer already "
        "buying when the data starts, not new customers."
    ]
    if data.partial_last_month and (data.cohorts["month_index"] > 0).any():
        notes.append("Starred grey cells fall in the partial last month, so they understate retention.")
    notes.append("Month 0 shows each cohort's size (every cohort is 100% active in its first month).")
    note = f'<p class="note" id="cohort-notes">{escape(" ".join(notes))}</p>'
    return _section("cohorts", "Cohort retention", story.cohorts, note + _chart("chart-cohorts"), scope="All customers")


def _rules(data: ExecutiveData, story: Takeaways) -> str:
    if data.rules.empty:
        return _section("rules", "Products bought together", None, _missing(story.rules), scope="All customers")
    rows = "".join(
        f'<tr><td>{int(rule.rule_rank)}</td><td class="text">{escape(str(rule.antecedent))}</td><td class="text">{escape(str(rule.consequent))}</td>'
        f"<td>{percent(rule.support, 2)}</td><td>{percent(rule.confidence, 0)}</td><td>{rule.lift:.1f}</td></tr>"
        for rule in data.rules.head(TOP_RULES).itertuples()
    )
    table = (
        '<table id="rules-table"><thead><tr><th>#</th><th class="text">Customers who buy</th><th class="text">also buy</th>'
        f"<th>Support</th><th>Confidence</th><th>Lift</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    return _section("rules", "Products bought together", story.rules, _chart("chart-rules") + table, scope="All customers")


def _data_quality(data: ExecutiveData, story: Takeaways) -> str:
    ledger = data.ledger
    if ledger.empty:
        return _section("data-quality", "Data quality", None, _missing(story.data_quality), scope="All rows")
    by = ledger.groupby(["disposition", "rule"], as_index=False)["rows"].sum().sort_values("rows", ascending=False)
    rows = "".join(
        f'<tr><td>{escape(str(row.disposition))}</td><td class="text">{escape(str(row.rule).replace("_", " "))}</td><td>{int(row.rows):,}</td></tr>'
        for row in by.itertuples()
    )
    table = f'<table id="ledger-table"><thead><tr><th>Kept as</th><th class="text">Rule</th><th>Rows</th></tr></thead><tbody>{rows}</tbody></table>'
    return _section("data-quality", "Data quality", story.data_quality, table, scope="All rows")


def _footer(data: ExecutiveData) -> str:
    return (
        "</main>\n<footer>Written by the customer intelligence pipeline from the warehouse "
        f"(batch {data.figures.batch_id}). Everything on this page is inside this one file: it loads nothing from the network. "
        "It holds customer-level rows (customer ID, country, RFM figures), so share it as you would the warehouse's extracts.</footer>"
    )


# --- pieces ---------------------------------------------------------------------------------


def _section(name: str, title: str, takeaway: str | None, content: str, scope: str | None = None) -> str:
    pill = f'<span class="scope">{escape(scope)}</span>' if scope else '<span class="scope filtered">All countries &middot; all segments</span>'
    lead = "" if scope else '<span class="lead">All customers: </span>'
    sentence = f'<p class="takeaway" id="takeaway-{name}">{lead}{escape(takeaway)}</p>' if takeaway else ""
    return f'<section id="{name}"><h2>{escape(title)}{pill}</h2>{sentence}{content}</section>'


def _chart(name: str) -> str:
    return f'<div class="chart" id="{name}"></div>'


def _card(label: str, value: str, sub: str, name: str) -> str:
    return (
        f'<div class="kpi"><div class="label">{escape(label)}</div><div class="value" id="{name}">{escape(value)}</div>'
        f'<div class="sub" id="{name}-sub">{escape(sub)}</div></div>'
    )


def _missing(text: str) -> str:
    return f'<p class="missing">{escape(text)}</p>'


def _share(part: float, total: float) -> float:
    return part / total if total else 0.0


def _ints(values: pd.Series) -> list[int]:
    return [0 if pd.isna(value) else int(value) for value in values]


def _numbers(values: pd.Series, digits: int) -> list[float | None]:
    return [None if value is None or pd.isna(value) or math.isinf(value) else round(float(value), digits) for value in values]
