"""What a run publishes to the Prefect UI, formatted for people: thousands separators, percentages,
3-4 significant figures. Each artifact has a stable key, so the UI keeps its history run by run.

    cip-data-quality-ledger   table     the cleaning ledger: rows and revenue per source and rule
    cip-segment-summary       table     RFM segments: customers, revenue, shares, averages
    cip-cohort-retention      table     monthly cohorts: size, retention 1/3/6/12 months later
    cip-analytics-summary     markdown  product association, segment validation, churn, whales
    cip-product-association-rules  table  the top rules by lift
    cip-run-summary           markdown  what the run loaded, skipped and took, step by step
    cip-run-outputs           link      the folder holding the run's output files
    cip-executive-outputs     markdown  the deck, dashboard and extracts written, with their headline sentences
    power-bi-refresh          markdown  the refresh's outcome (flows/refresh_power_bi.py)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path

import pandas as pd

ARTIFACT_KEYS = {
    "ledger": "cip-data-quality-ledger",
    "segments": "cip-segment-summary",
    "cohorts": "cip-cohort-retention",
    "analytics": "cip-analytics-summary",
    "rules": "cip-product-association-rules",
    "run": "cip-run-summary",
    "outputs": "cip-run-outputs",
    "executive": "cip-executive-outputs",
}

Format = Callable[[object], str]


def count(value: object) -> str:
    """1234567 -> '1,234,567'."""
    return f"{int(value):,}"


def money(value: object) -> str:
    """1234.5 -> '1,234.50'."""
    return f"{float(value):,.2f}"


def percent_of_one(value: object) -> str:
    """A share between 0 and 1 as a percentage with one decimal: 0.3661 -> '36.6%'."""
    return f"{100 * float(value):.1f}%"


def percent(value: object) -> str:
    """A value already in percent: 25.04 -> '25.0%'."""
    return f"{float(value):.1f}%"


def significant(value: object) -> str:
    """A ratio to 3 significant figures: 6.8712 -> '6.87', 0.02941 -> '0.0294'."""
    return f"{float(value):.3g}"


LEDGER = {"rows": count, "revenue": money}
SEGMENTS = {
    "customers": count,
    "customers_pct": percent,
    "revenue": money,
    "revenue_pct": percent,
    "average_revenue": money,
    "average_orders": significant,
    "average_recency_days": significant,
}
COHORTS = {
    "cohort_size": count,
    "month_1": percent_of_one,
    "month_3": percent_of_one,
    "month_6": percent_of_one,
    "month_12": percent_of_one,
    "revenue": money,
}
RULES = {"support": percent_of_one, "confidence": percent_of_one, "lift": significant, "both_baskets": count}


def table(frame: pd.DataFrame, formats: Mapping[str, Format] | None = None) -> list[dict]:
    """The rows of `frame` for a table artifact: each listed column formatted, missing values as
    '' (a cohort not yet 12 months old has no month-12 retention), dates as ISO text."""
    formats = formats or {}
    return [{column: _cell(value, formats.get(column)) for column, value in row.items()} for row in frame.to_dict("records")]


def _cell(value: object, format_value: Format | None) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if format_value is not None:
        return format_value(value)
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value  # numpy scalars -> JSON-ready Python


def outputs_link(folder: Path) -> str:
    """The output folder as a file:// link for the link artifact."""
    return folder.resolve().as_uri()


def executive_markdown(outputs) -> str:
    """The executive outputs' paths and the sentences they lead with (an ExecutiveOutputs)."""
    lines = ["# Executive outputs", ""]
    lines += [f"- [{path.name}]({path.resolve().as_uri()})" for path in outputs.paths]
    if outputs.story is not None:
        lines += ["", "## What they say", ""]
        sentences = (getattr(outputs.story, item.name) for item in dataclasses.fields(outputs.story))
        lines += [f"- {sentence}" for sentence in sentences if isinstance(sentence, str) and sentence]
    return "\n".join(lines) + "\n"
