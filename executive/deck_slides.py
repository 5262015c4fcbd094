"""The deck's analysis slides: the Champions proof, cohort retention, product association, churn
risk, whales and data quality. Each says what is missing when its step has not run.
"""

from __future__ import annotations

import pandas as pd
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Inches

from executive.data import ExecutiveData
from executive.deck_parts import (
    BODY_HEIGHT,
    BODY_TOP,
    BODY_WIDTH,
    GREY,
    LIGHT_GREY,
    MARGIN,
    NAVY,
    WHITE,
    category_chart,
    content_slide,
    label_bars,
    missing,
    shade,
    table,
    text_box,
)
from executive.story import (
    HIGH_RISK,
    Takeaways,
    cell_is_complete,
    day_name,
    high_value_at_risk,
    money,
    month_name,
    percent,
)

RULES_SHOWN = 10
AT_RISK_SHOWN = 12
WHALES_SHOWN = 10
RISK_BANDS = ("high", "medium", "low")
DISPOSITIONS = {"sale": "Kept: sale", "return": "Kept: return", "excluded": "Left out"}
NOT_RUN = "The analytics have not run on this data yet (they need more history than this warehouse holds, or their step has not run)."


def champions(deck, data: ExecutiveData, story: Takeaways) -> None:
    slide = content_slide(deck, "Are Champions really the best customers?", story.champions)
    table_ = data.segment_validation
    if table_.empty:
        missing(slide, "The segment validation has not run. " + (NOT_RUN if not data.has_analytics else "The data is too short to test it."))
        return
    first = table_.iloc[0]
    alpha = float(first["alpha"])
    rows = []
    for row in table_.itertuples():
        p = None if pd.isna(row.p_value_holm) else float(row.p_value_holm)
        verdict = "-" if p is None else ("Yes" if p < alpha else "No, not significantly")
        rows.append(
            (
                row.segment,
                f"{int(row.customers):,}",
                money(float(row.future_mean_value)),
                f"{money(float(row.future_mean_ci_low))} to {money(float(row.future_mean_ci_high))}",
                "-" if p is None else p_value(p),
                verdict,
            )
        )
    header = (
        "Segment (at the cutoff)",
        "Customers",
        f"Mean spend, next {int(first['horizon_months'])} months",
        "95% confidence interval",
        "p-value (Holm)",
        "Champions spend more?",
    )
    height = min(BODY_HEIGHT - Inches(0.9), Inches(0.3) * (len(rows) + 1))
    table(slide, header, rows, MARGIN, BODY_TOP, BODY_WIDTH, height, (2.4, 1.2, 1.6, 2.4, 1.4, 2.0), size=10)
    explain = (
        f"How it was tested: customers were segmented on the data up to {day_name(first['cutoff_date'])}, then their spend over the next "
        f"{int(first['horizon_months'])} months was measured. The p-value is the chance of a difference at least this large if Champions "
        f"spent no more than the segment (one-sided Mann-Whitney U test, Holm-adjusted for {len(rows) - 1} comparisons); below "
        f"{alpha:g} counts as significant. Across all segments: Kruskal-Wallis {_p_equals(float(first['kruskal_p_value']))}."
    )
    text_box(slide, explain, MARGIN, BODY_TOP + height + Inches(0.1), BODY_WIDTH, Inches(0.8), size=10, name="Method")


def p_value(p: float) -> str:
    return "< 0.0001" if p < 0.0001 else f"{p:.4f}"


def _p_equals(p: float) -> str:
    return f"p {p_value(p)}" if p < 0.0001 else f"p = {p_value(p)}"


def cohorts(deck, data: ExecutiveData, story: Takeaways) -> None:
    slide = content_slide(deck, "Cohort retention", story.cohorts)
    matrix = data.cohorts
    if matrix.empty:
        missing(slide, "No cohort retention is built yet.")
        return
    grid = matrix.pivot_table(index="cohort_month", columns="month_index", values="retention_rate", aggfunc="max")
    sizes = matrix.groupby("cohort_month")["cohort_size"].max()
    months = list(range(int(matrix["month_index"].max()) + 1))
    header = ["Cohort", "Customers", *[f"M{month}" for month in months]]
    rows, flags = [], []
    for cohort in grid.index:
        is_first = pd.Timestamp(cohort).date() == data.first_cohort
        label = f"{pd.Timestamp(cohort).strftime('%b %Y')}{' (existing)' if is_first else ''}"
        cells, cell_flags = [], []
        for month in months:
            rate = grid.at[cohort, month] if month in grid.columns else float("nan")
            in_data = not pd.isna(rate) or _in_data(data, cohort, month)
            complete = cell_is_complete(data, cohort, month)
            rate = 0.0 if pd.isna(rate) and in_data else rate
            cells.append("" if pd.isna(rate) else f"{100 * rate:.0f}%{'' if complete else '*'}")
            cell_flags.append((None if pd.isna(rate) else float(rate), complete, is_first))
        rows.append((label, f"{int(sizes[cohort]):,}", *cells))
        flags.append(cell_flags)
    widths = (1.6, 1.0, *([0.75] * len(months)))
    height = min(BODY_HEIGHT - Inches(0.4), Inches(0.26) * (len(rows) + 1))
    shape = table(slide, header, rows, MARGIN, BODY_TOP, BODY_WIDTH, height, widths, size=8)
    for row_index, cell_flags in enumerate(flags, start=1):
        for offset, (rate, complete, is_first) in enumerate(cell_flags):
            cell = shape.table.cell(row_index, offset + 2)
            if rate is None:
                shade(cell, WHITE)
                continue
            if offset == 0:
                shade(cell, LIGHT_GREY, GREY)
            elif not complete:
                shade(cell, RGBColor(0xF2, 0xF2, 0xF2), GREY, italic=True)
            else:
                fill = heat(rate)
                shade(cell, fill, WHITE if rate >= 0.22 else NAVY, italic=is_first)
    note = (
        f"Share of each cohort (customers by month of first purchase) buying again M months later. {month_name(data.first_cohort)} "
        "'existing' holds every customer already active when the data starts, not new customers. * month not complete in the data (partial)."
    )
    text_box(slide, note, MARGIN, BODY_TOP + BODY_HEIGHT - Inches(0.3), BODY_WIDTH, Inches(0.5), size=10, name="Legend")


def heat(rate: float) -> RGBColor:
    """White (0%) to navy (50% or more)."""
    weight = max(0.0, min(rate / 0.5, 1.0))
    low, high = (0xF7, 0xFB, 0xFF), (0x08, 0x30, 0x6B)
    return RGBColor(*(round(a + (b - a) * weight) for a, b in zip(low, high, strict=True)))


def _in_data(data: ExecutiveData, cohort, month: int) -> bool:
    last = pd.Timestamp(data.monthly["month_start"].iloc[-1]) if not data.monthly.empty else None
    return last is not None and pd.Timestamp(cohort) + pd.DateOffset(months=month) <= last


def rules(deck, data: ExecutiveData, story: Takeaways) -> None:
    slide = content_slide(deck, "Products bought together", story.rules)
    if data.rules.empty:
        missing(slide, NOT_RUN if not data.has_analytics else "No pair of products is bought together often enough to make a rule.")
        return
    top = data.rules.head(RULES_SHOWN)
    rows = [
        (
            f"{int(rule.rule_rank)}",
            f"Customers who buy {_sentence(rule.antecedent)}",
            f"are {rule.lift:.1f} times as likely to buy {_sentence(rule.consequent)}",
            f"{percent(rule.confidence, 0)}",
            f"{int(rule.both_baskets):,}",
        )
        for rule in top.itertuples()
    ]
    header = ("#", "If", "then they", "Baskets with the first that hold the second", "Baskets with both")
    height = min(BODY_HEIGHT - Inches(0.5), Inches(0.4) * (len(rows) + 1))
    table(slide, header, rows, MARGIN, BODY_TOP, BODY_WIDTH, height, (0.4, 4.0, 4.4, 1.6, 1.2), size=10)
    note = f"Top {len(rows)} of {len(data.rules):,} rules by rank, from {int(top['total_baskets'].iloc[0]):,} baskets (invoices)."
    text_box(slide, note, MARGIN, BODY_TOP + height + Inches(0.1), BODY_WIDTH, Inches(0.4), size=10)


def _sentence(side: str) -> str:
    names = [name.strip().capitalize() for name in str(side).split(" | ")]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def churn(deck, data: ExecutiveData, story: Takeaways) -> None:
    slide = content_slide(deck, "Churn risk", story.churn)
    if not data.has_analytics:
        missing(slide, NOT_RUN)
        return
    by_band = data.customers.groupby("churn_risk_band")["net_revenue"].agg(["size", "sum"]).reindex(list(RISK_BANDS), fill_value=0)
    width = Inches(4.6)
    chart = category_chart(
        slide,
        XL_CHART_TYPE.COLUMN_CLUSTERED,
        [f"{band.capitalize()} risk" for band in RISK_BANDS],
        {"Net revenue": by_band["sum"]},
        MARGIN,
        BODY_TOP,
        width,
        BODY_HEIGHT,
        "£#,##0",
        title="Net revenue by churn risk band",
    )
    label_bars(chart, "£#,##0")
    at_risk = high_value_at_risk(data)
    left = MARGIN + width + Inches(0.3)
    if at_risk.empty:
        missing_text = "No high-value customer is in the high risk band."
        text_box(slide, missing_text, left, BODY_TOP, BODY_WIDTH - width - Inches(0.3), Inches(1), size=16, name="Missing")
        return
    shown = at_risk.head(AT_RISK_SHOWN)
    rows = [
        (f"{int(c.customer_id)}", str(c.segment), str(c.country), money(c.net_revenue), percent(c.churn_probability, 0)) for c in shown.itertuples()
    ]
    header = ("Customer ID", "Segment", "Country", "Net revenue", "Churn probability")
    height = min(BODY_HEIGHT - Inches(0.5), Inches(0.32) * (len(rows) + 1))
    table(slide, header, rows, left, BODY_TOP, BODY_WIDTH - width - Inches(0.3), height, (1.2, 1.6, 1.5, 1.2, 1.2), size=10)
    more = f" Showing {len(shown)} of {len(at_risk):,}." if len(at_risk) > len(shown) else ""
    note = f"High-value customers at high risk ({HIGH_RISK} band: churn probability 60% or more), most net revenue first.{more}"
    text_box(slide, note, left, BODY_TOP + height + Inches(0.1), BODY_WIDTH - width - Inches(0.3), Inches(0.5), size=10)


def whales(deck, data: ExecutiveData, story: Takeaways) -> None:
    slide = content_slide(deck, "Whales", story.whales)
    if not data.has_analytics:
        missing(slide, NOT_RUN)
        return
    customers = data.customers
    is_whale = customers["is_whale"].fillna(False).astype(bool)
    whales_, others = customers[is_whale], customers[~is_whale]
    width = Inches(4.6)
    category_chart(
        slide,
        XL_CHART_TYPE.DOUGHNUT,
        [f"{len(whales_):,} whales", f"{len(others):,} other customers"],
        {"Net revenue": [whales_["net_revenue"].sum(), others["net_revenue"].sum()]},
        MARGIN,
        BODY_TOP,
        width,
        BODY_HEIGHT,
        "£#,##0",
        title="Net revenue: whales vs the rest",
    )
    top = whales_.sort_values(["net_revenue", "customer_id"], ascending=[False, True]).head(WHALES_SHOWN)
    total = customers["net_revenue"].sum()
    rows = [
        (f"{rank}", f"{int(c.customer_id)}", str(c.country), money(c.net_revenue), percent(c.net_revenue / total) if total else "-")
        for rank, c in enumerate(top.itertuples(), start=1)
    ]
    left = MARGIN + width + Inches(0.3)
    header = ("Rank", "Customer ID", "Country", "Net revenue", "Share of net revenue")
    height = min(BODY_HEIGHT - Inches(0.5), Inches(0.32) * (len(rows) + 1))
    table(slide, header, rows, left, BODY_TOP, BODY_WIDTH - width - Inches(0.3), height, (0.7, 1.3, 1.8, 1.4, 1.5), size=10)
    note = f"Whales: the top 1% of customers by net revenue (sales less returns). The {len(rows)} largest shown."
    text_box(slide, note, left, BODY_TOP + height + Inches(0.1), BODY_WIDTH - width - Inches(0.3), Inches(0.5), size=10)


def data_quality(deck, data: ExecutiveData, story: Takeaways) -> None:
    slide = content_slide(deck, "Data quality", story.data_quality)
    ledger = data.ledger
    if ledger.empty:
        missing(slide, "No cleaning ledger is recorded for the data in the warehouse.")
        return
    order = {name: index for index, name in enumerate(DISPOSITIONS)}
    ledger = ledger.assign(order=ledger["disposition"].map(order).fillna(len(order))).sort_values(["order", "rows"], ascending=[True, False])
    rows_in = int(ledger["rows"].sum())
    rows = [
        (
            DISPOSITIONS.get(line.disposition, str(line.disposition)),
            str(line.rule).replace("_", " "),
            f"{int(line.rows):,}",
            percent(line.rows / rows_in) if rows_in else "-",
            money(line.revenue),
        )
        for line in ledger.itertuples()
    ]
    rows.append(("Rows in", "all sources" if ledger["source"].nunique() > 1 else str(ledger["source"].iloc[0]), f"{rows_in:,}", "100.0%", ""))
    height = min(BODY_HEIGHT - Inches(0.5), Inches(0.36) * (len(rows) + 1))
    shape = table(
        slide, ("Outcome", "Rule", "Rows", "Share of rows", "Value"), rows, MARGIN, BODY_TOP, BODY_WIDTH, height, (2, 3, 1.5, 1.5, 2), size=11
    )
    for column in range(5):
        shade(shape.table.cell(len(rows), column), LIGHT_GREY, NAVY)
    note = "Every raw row is accounted for: kept as a sale, kept as a return (cancellation), or left out by a named cleaning rule."
    text_box(slide, note, MARGIN, BODY_TOP + height + Inches(0.1), BODY_WIDTH, Inches(0.4), size=10)
