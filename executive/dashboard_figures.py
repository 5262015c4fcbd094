"""The dashboard's charts as plotly figures, drawn for every customer (the unfiltered view); the
page's script (`dashboard_script.py`) redraws the customer charts for the chosen country and
segment from the same embedded customer rows, with the same arithmetic as `rf_matrix`.

Every array handed to plotly is a plain list, so the embedded JSON holds readable numbers (not
base64 typed arrays) and the script can rebuild the traces it replaces.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from executive.data import ExecutiveData
from executive.story import cell_is_complete, full_months, money

SCORES = (1, 2, 3, 4, 5)
FREQUENCY_CAP = 30  # orders; customers with more are counted in the last bar ("30+")
RECENCY_BIN_DAYS = 30
MONEY_TICKS = (10, 30, 100, 300, 1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000)
SPARSE_MONEY_TICKS = (10, 100, 1_000, 10_000, 100_000, 1_000_000)
BLUE, LIGHT_BLUE, GOLD, GREY, RED, INK = "#1f5f8b", "#8fb8d8", "#d49a00", "#b8c2cc", "#b03a2e", "#1d2b36"
FONT = "Segoe UI, Helvetica Neue, Arial, sans-serif"


def base_layout(**layout) -> dict:
    """The look every chart shares."""
    return {
        "template": "plotly_white",
        "font": {"family": FONT, "size": 13, "color": INK},
        "margin": {"l": 60, "r": 20, "t": 30, "b": 50},
        "hoverlabel": {"font": {"family": FONT}},
        **layout,
    }


def money_ticks(ticks=MONEY_TICKS) -> dict:
    """Ticks in pounds for an axis (or colour bar) drawn in log10 of pounds."""
    return {"tickvals": [math.log10(tick) for tick in ticks], "ticktext": [money(tick) for tick in ticks]}


# --- the customer charts (redrawn by the filters) --------------------------------------------


def rf_matrix(customers: pd.DataFrame) -> tuple[list[list[float | None]], list[list[int]]]:
    """Mean monetary value and customer count per (R score, F score) cell: rows R 1-5, columns F
    1-5; None where no customer falls in a cell."""
    grouped = customers.groupby(["r_score", "f_score"])["monetary"].agg(["mean", "size"])
    means = [[_maybe(grouped["mean"].get((r, f))) for f in SCORES] for r in SCORES]
    counts = [[int(grouped["size"].get((r, f), 0)) for f in SCORES] for r in SCORES]
    return means, counts


def rf_heatmap(customers: pd.DataFrame) -> go.Figure:
    """Recency score against frequency score, coloured by mean monetary value (log colour scale,
    so one rich cell does not wash out the rest); each cell says its mean and customer count."""
    means, counts = rf_matrix(customers)
    figure = go.Figure(
        go.Heatmap(
            x=list(SCORES),
            y=list(SCORES),
            z=[[math.log10(mean) if mean and mean > 0 else None for mean in row] for row in means],
            customdata=means,
            text=[[rf_cell_text(mean, n) for mean, n in zip(row, row_counts, strict=True)] for row, row_counts in zip(means, counts, strict=True)],
            texttemplate="%{text}",
            hovertemplate="R score %{y}, F score %{x}<br>%{text}<extra></extra>",
            colorscale="Blues",
            colorbar={"title": {"text": "mean<br>monetary"}, **money_ticks()},
            xgap=2,
            ygap=2,
        )
    )
    figure.update_layout(
        base_layout(height=420),
        xaxis={"title": "F score (5 = most orders)", "dtick": 1},
        yaxis={"title": "R score (5 = bought most recently)", "dtick": 1},
    )
    return figure


def rf_cell_text(mean: float | None, customers: int) -> str:
    return "" if not customers else f"{money(mean)}<br>n={customers:,}"


def segment_bars(table: pd.DataFrame) -> go.Figure:
    """Each segment's share of the customers against its share of net revenue."""
    segments = table["segment"].tolist()
    custom = [[int(n), float(v)] for n, v in zip(table["customers"], table["net_revenue"], strict=True)]
    figure = go.Figure()
    for name, column, colour in (("Share of customers", "customer_share", LIGHT_BLUE), ("Share of net revenue", "value_share", BLUE)):
        figure.add_bar(
            name=name,
            y=segments,
            x=[100 * float(share) for share in table[column]],
            customdata=custom,
            orientation="h",
            marker={"color": colour},
            hovertemplate="%{y}: %{x:.1f}%<br>%{customdata[0]:,} customers, £%{customdata[1]:,.0f} net revenue<extra>" + name + "</extra>",
        )
    figure.update_layout(
        base_layout(height=110 + 34 * max(len(segments), 1), margin={"l": 150, "r": 20, "t": 50, "b": 50}),
        barmode="group",
        xaxis={"title": "% of the customers shown", "ticksuffix": "%"},
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom"},
    )
    return figure


def distributions(customers: pd.DataFrame) -> go.Figure:
    """Recency, frequency and monetary value histograms (monetary on a log axis)."""
    figure = make_subplots(rows=1, cols=3, subplot_titles=("Recency", "Frequency", "Monetary value"), horizontal_spacing=0.08)
    figure.add_histogram(
        x=customers["recency_days"].astype(int).tolist(),
        xbins={"start": 0, "size": RECENCY_BIN_DAYS},
        marker={"color": BLUE},
        name="Recency",
        hovertemplate="%{x} days since the last purchase: %{y:,} customers<extra></extra>",
        row=1,
        col=1,
    )
    figure.add_histogram(
        x=[min(int(orders), FREQUENCY_CAP) for orders in customers["frequency"]],
        xbins={"start": 0.5, "end": FREQUENCY_CAP + 0.5, "size": 1},
        marker={"color": BLUE},
        name="Frequency",
        hovertemplate="%{x} orders: %{y:,} customers<extra></extra>",
        row=1,
        col=2,
    )
    figure.add_histogram(
        x=[math.log10(value) for value in customers["monetary"] if value > 0],
        xbins={"size": 0.1},
        marker={"color": BLUE},
        name="Monetary value",
        hovertemplate="%{y:,} customers<extra></extra>",
        row=1,
        col=3,
    )
    frequency_ticks = [1, 5, 10, 15, 20, 25, FREQUENCY_CAP]
    figure.update_layout(base_layout(height=340, showlegend=False, bargap=0.05))
    figure.update_xaxes(title_text="days since the last purchase", row=1, col=1)
    figure.update_xaxes(title_text="orders", tickvals=frequency_ticks, ticktext=[*map(str, frequency_ticks[:-1]), f"{FREQUENCY_CAP}+"], row=1, col=2)
    figure.update_xaxes(title_text="sales value (log scale)", **money_ticks(SPARSE_MONEY_TICKS), row=1, col=3)
    figure.update_yaxes(title_text="customers", row=1, col=1)
    return figure


def churn_scatter(customers: pd.DataFrame, threshold: float | None) -> go.Figure:
    """Churn probability against net revenue (log axis): whales in gold, the high-risk line at
    60% and the high-value line (top 20% by net revenue) drawn, so the top-right corner is the
    valuable customers at risk."""
    figure = go.Figure()
    positive = customers[customers["net_revenue"] > 0]
    whale = is_whale(positive)
    for name, rows, colour, size in (("Customers", positive[~whale], BLUE, 5), ("Whales", positive[whale], GOLD, 10)):
        figure.add_scatter(
            name=name,
            mode="markers",
            x=[math.log10(value) for value in rows["net_revenue"]],
            y=rows["churn_probability"].astype(float).tolist(),
            customdata=[[int(row.customer_id), str(row.segment), str(row.country_display_name), float(row.net_revenue)] for row in rows.itertuples()],
            marker={"color": colour, "size": size, "opacity": 0.55 if name == "Customers" else 0.9, "line": {"width": 0}},
            hovertemplate="Customer %{customdata[0]} (%{customdata[1]}, %{customdata[2]})<br>net revenue £%{customdata[3]:,.0f}"
            "<br>churn probability %{y:.0%}<extra></extra>",
        )
    shapes = [_line("y", 0.6, RED)]
    annotations = [{"x": 1, "xref": "paper", "y": 0.6, "text": "high risk (60%+)", "showarrow": False, "yshift": 10, "xanchor": "right"}]
    if threshold and threshold > 0:
        shapes.append(_line("x", math.log10(threshold), INK))
        annotations.append(
            {"x": math.log10(threshold), "y": 1, "yref": "paper", "text": f"top 20%: {money(threshold)}+", "showarrow": False, "xanchor": "left"}
        )
    figure.update_layout(
        base_layout(height=480, shapes=shapes, annotations=annotations, margin={"l": 60, "r": 20, "t": 50, "b": 50}),
        xaxis={"title": "net revenue (log scale)", **money_ticks()},
        yaxis={"title": "churn probability", "tickformat": ".0%", "range": [-0.02, 1.02]},
        legend={"orientation": "h", "y": 1.04, "yanchor": "bottom"},
    )
    return figure


def is_whale(customers: pd.DataFrame) -> pd.Series:
    """True for the flagged whales; False where the analytics have not flagged anyone (NULL)."""
    return customers["is_whale"].map(lambda flag: False if flag is None or pd.isna(flag) else bool(flag)).astype(bool)


# --- the charts of the whole data (the filters do not apply) ----------------------------------


def cohort_heatmap(data: ExecutiveData) -> go.Figure:
    """Retention by cohort and month: month 0 (100% by definition) shows the cohort size in grey
    instead of taking the top of the colour scale; cells in the partial last month are grey and
    starred; the first cohort is labelled as the customers already active when the data starts."""
    cohorts = data.cohorts.copy()
    cohorts["cohort_month"] = pd.to_datetime(cohorts["cohort_month"])
    months = sorted(cohorts["cohort_month"].unique())
    indexes = list(range(int(cohorts["month_index"].max()) + 1))
    labels = [_cohort_label(data, month) for month in months]
    cells = {(row.cohort_month, int(row.month_index)): row for row in cohorts.itertuples()}

    def grid(keep, mark=""):
        z, text = [], []
        for month in months:
            row_z, row_text = [], []
            for index in indexes:
                cell = cells.get((month, index))
                shown = cell is not None and keep(month, index)
                row_z.append(float(cell.retention_rate) if shown else None)
                row_text.append(_cohort_text(cell, index) + mark if shown else "")
            z.append(row_z)
            text.append(row_text)
        return z, text

    def partial(month, index):
        return index > 0 and not cell_is_complete(data, month, index)

    size_z, size_text = grid(lambda month, index: index == 0)
    rate_z, rate_text = grid(lambda month, index: index > 0 and not partial(month, index))
    partial_z, partial_text = grid(partial, mark="*")
    figure = go.Figure()
    common = {"x": indexes, "y": labels, "xgap": 2, "ygap": 2, "texttemplate": "%{text}"}
    figure.add_heatmap(
        z=size_z, text=size_text, colorscale=[[0, "#eef1f4"], [1, "#eef1f4"]], showscale=False, hovertemplate="%{y}: %{text}<extra></extra>", **common
    )
    complete = [value for row in rate_z for value in row if value is not None]
    figure.add_heatmap(
        z=rate_z,
        text=rate_text,
        colorscale="Blues",
        zmin=0,
        zmax=max(complete) if complete else 1,
        colorbar={"title": {"text": "retention"}, "tickformat": ".0%"},
        hovertemplate="%{y}, month %{x}: %{z:.1%} bought again<extra></extra>",
        **common,
    )
    figure.add_heatmap(
        z=partial_z,
        text=partial_text,
        colorscale=[[0, "#d9dde1"], [1, "#d9dde1"]],
        showscale=False,
        hovertemplate="%{y}, month %{x}: %{text} (partial month: the data stops before it ends)<extra></extra>",
        **common,
    )
    figure.update_layout(
        base_layout(height=120 + 32 * len(months), margin={"l": 200, "r": 20, "t": 30, "b": 50}),
        xaxis={"title": "months after the first purchase (0 = the first month; grey: the cohort's size)", "dtick": 1, "side": "bottom"},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    return figure


def rules_scatter(rules: pd.DataFrame) -> go.Figure:
    """Each product association rule: support against confidence, coloured by lift."""
    figure = go.Figure(
        go.Scatter(
            mode="markers",
            x=rules["support"].tolist(),
            y=rules["confidence"].tolist(),
            customdata=[
                [str(row.antecedent), str(row.consequent), float(row.lift), int(row.both_baskets), int(row.rule_rank)] for row in rules.itertuples()
            ],
            marker={
                "color": rules["lift"].tolist(),
                "colorscale": "Viridis",
                "size": 11,
                "colorbar": {"title": {"text": "lift"}},
                "line": {"width": 0},
            },
            hovertemplate="#%{customdata[4]}: %{customdata[0]} → %{customdata[1]}<br>support %{x:.2%}, confidence %{y:.0%}, "
            "lift %{customdata[2]:.1f}<br>%{customdata[3]:,} baskets hold both<extra></extra>",
        )
    )
    figure.update_layout(
        base_layout(height=420),
        xaxis={"title": "support (share of all baskets holding both)", "tickformat": ".1%"},
        yaxis={"title": "confidence", "tickformat": ".0%"},
    )
    return figure


def validation_bars(validation: pd.DataFrame) -> go.Figure:
    """Each segment's mean spend in the held-back months after the cutoff, with its 95% interval."""
    table = validation.sort_values("segment_order")
    mean = table["future_mean_value"].astype(float)
    figure = go.Figure(
        go.Bar(
            x=table["segment"].tolist(),
            y=mean.tolist(),
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (table["future_mean_ci_high"].astype(float) - mean).tolist(),
                "arrayminus": (mean - table["future_mean_ci_low"].astype(float)).tolist(),
                "color": INK,
            },
            marker={"color": [BLUE if index == 0 else LIGHT_BLUE for index in range(len(table))]},
            hovertemplate="%{x}: £%{y:,.0f} on average<extra></extra>",
        )
    )
    figure.update_layout(base_layout(height=380), yaxis={"title": "mean spend after the cutoff", "tickprefix": "£"}, xaxis={"tickangle": -30})
    return figure


def monthly_bars(data: ExecutiveData) -> go.Figure:
    """Net revenue per month; the partial last month in grey and labelled."""
    monthly = data.monthly
    full = len(full_months(data))
    labels = [pd.Timestamp(month).strftime("%b %Y") for month in monthly["month_start"]]
    net = (monthly["revenue"] + monthly["returns_revenue"]).astype(float).tolist()
    colours = [BLUE if index < full else GREY for index in range(len(monthly))]
    figure = go.Figure(go.Bar(x=labels, y=net, marker={"color": colours}, hovertemplate="%{x}: £%{y:,.0f} net revenue<extra></extra>"))
    annotations = []
    if full < len(monthly):
        days = int(pd.Timestamp(monthly["last_day"].iloc[-1]).day)
        annotations.append({"x": labels[-1], "y": net[-1], "text": f"partial: {days} days", "showarrow": True, "arrowhead": 0, "ay": -30})
    figure.update_layout(base_layout(height=340, annotations=annotations), yaxis={"title": "net revenue", "tickprefix": "£"})
    return figure


# --- helpers --------------------------------------------------------------------------------


def _maybe(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _line(axis: str, at: float, colour: str) -> dict:
    other = "x" if axis == "y" else "y"
    return {
        "type": "line",
        f"{axis}0": at,
        f"{axis}1": at,
        f"{other}ref": "paper",
        f"{other}0": 0,
        f"{other}1": 1,
        "line": {"color": colour, "dash": "dash", "width": 1.5},
    }


def _cohort_label(data: ExecutiveData, month) -> str:
    label = pd.Timestamp(month).strftime("%b %Y")
    return f"{label} (already active)" if pd.Timestamp(month).date() == data.first_cohort else label


def _cohort_text(cell, index: int) -> str:
    if index == 0:
        return f"{int(cell.cohort_size):,}"
    return f"{100 * float(cell.retention_rate):.0f}%"
