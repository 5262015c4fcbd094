"""The marketing extracts: customer lists a campaign tool imports, each as CSV and as XLSX.

- customers_at_risk: the high churn risk band, the high-value customers at risk first
  (is_high_value_at_risk), then by net revenue;
- whales: the top customers by net revenue (mart.customer_whale), by net revenue;
- segment_membership: every customer with segment and RFM scores, by customer id.

The three files have the same columns in the same order (`COLUMNS`), so one import mapping serves
them all. Numbers are numbers (in the CSV without quotes, in the XLSX numeric cells), dates are ISO
8601, flags are true/false, text is neutralised against formula injection (`spreadsheet_safety`).
The CSV is plain UTF-8 without a byte order mark (a BOM ends up in the first column's name in many
import tools; the XLSX is the file for Excel). Before the analytics ran the churn and whale columns
are empty and the first two lists have no rows; an empty warehouse gives the headers alone. See
docs/executive.md, "Extracts".
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xlsxwriter

from executive.data import ExecutiveData
from executive.spreadsheet_safety import csv_text, neutralise

# kinds of column: how a value is typed, written to CSV and formatted in XLSX
INTEGER, MONEY, PROBABILITY, TEXT, TIMESTAMP, DATE, FLAG = "integer", "money", "probability", "text", "timestamp", "date", "flag"
COLUMNS: tuple[tuple[str, str], ...] = (
    ("customer_id", INTEGER),
    ("country", TEXT),  # as exported, e.g. EIRE
    ("country_display_name", TEXT),  # the name to show, e.g. Ireland
    ("region", TEXT),
    ("segment", TEXT),
    ("rfm_code", TEXT),  # a code, not a number: 555
    ("r_score", INTEGER),
    ("f_score", INTEGER),
    ("m_score", INTEGER),
    ("recency_days", INTEGER),
    ("frequency", INTEGER),
    ("monetary", MONEY),
    ("net_revenue", MONEY),
    ("average_order_value", MONEY),
    ("first_purchase_at", TIMESTAMP),
    ("last_purchase_at", TIMESTAMP),
    ("churn_probability", PROBABILITY),
    ("churn_risk_band", TEXT),
    ("is_high_value_at_risk", FLAG),
    ("is_whale", FLAG),
    ("as_of_date", DATE),
)
COLUMN_NAMES = [name for name, _ in COLUMNS]
EXCEL_DATA_ROWS = 1_048_575  # rows of a worksheet under its header; more continue on the next sheet
XLSX_FORMATS = {MONEY: "#,##0.00##", PROBABILITY: "0.000000", TIMESTAMP: "yyyy-mm-dd hh:mm:ss", DATE: "yyyy-mm-dd"}
XLSX_WIDTHS = {TEXT: 20, TIMESTAMP: 20, DATE: 12, MONEY: 14}


@dataclass(frozen=True)
class Extract:
    name: str  # the file name without its suffix, and the worksheet's name
    select: Callable[[pd.DataFrame], pd.DataFrame]  # its rows of the campaign customers, in order


def _at_risk(customers: pd.DataFrame) -> pd.DataFrame:
    rows = customers[customers["churn_risk_band"].eq("high")]
    return _ordered(rows, first=rows["is_high_value_at_risk"].eq(True))


def _whales(customers: pd.DataFrame) -> pd.DataFrame:
    return _ordered(customers[customers["is_whale"].eq(True)])


def _members(customers: pd.DataFrame) -> pd.DataFrame:
    return customers.sort_values("customer_id", kind="mergesort")


EXTRACTS = (
    Extract("customers_at_risk", _at_risk),
    Extract("whales", _whales),
    Extract("segment_membership", _members),
)


def write_extracts(data: ExecutiveData, folder: Path) -> list[Path]:
    """Write every extract as CSV and XLSX into `folder` (created); returns the files in the
    order of EXTRACTS, CSV before XLSX. Thin data gives files with fewer rows, never an error."""
    folder.mkdir(parents=True, exist_ok=True)
    customers = campaign_customers(data)
    paths: list[Path] = []
    for extract in EXTRACTS:
        rows = list(typed_rows(extract.select(customers)))
        paths.append(_replace(folder / f"{extract.name}.csv", lambda part, rows=rows: write_csv(part, rows)))
        paths.append(_replace(folder / f"{extract.name}.xlsx", lambda part, rows=rows, name=extract.name: write_xlsx(part, name, rows)))
    return paths


def campaign_customers(data: ExecutiveData) -> pd.DataFrame:
    """The Single Customer View with the high-value-at-risk flag, every column of COLUMNS present
    (empty where the warehouse has no value yet)."""
    customers = data.customers
    if "is_high_value_at_risk" not in customers.columns:
        flags = data.churn_risk
        if {"customer_id", "is_high_value_at_risk"} <= set(flags.columns) and "customer_id" in customers.columns and not flags.empty:
            flags = flags[["customer_id", "is_high_value_at_risk"]].drop_duplicates("customer_id")
            customers = customers.merge(flags, on="customer_id", how="left", validate="many_to_one")
        else:
            customers = customers.assign(is_high_value_at_risk=None)
    return customers.reindex(columns=COLUMN_NAMES).astype(object)


def _ordered(rows: pd.DataFrame, first: pd.Series | None = None) -> pd.DataFrame:
    """By `first` (True first), then net revenue (highest first), then customer id."""
    keys = rows.assign(
        _first=first if first is not None else False,
        _revenue=pd.to_numeric(rows["net_revenue"], errors="coerce"),
        _customer=pd.to_numeric(rows["customer_id"], errors="coerce"),
    )
    keys = keys.sort_values(["_first", "_revenue", "_customer"], ascending=[False, False, True], na_position="last", kind="mergesort")
    return rows.loc[keys.index]


# -- values ---------------------------------------------------------------------------------


def typed_rows(frame: pd.DataFrame) -> Iterator[list]:
    """Each row as Python values by kind: int, float, str, datetime, date, bool or None."""
    kinds = [kind for _, kind in COLUMNS]
    for row in frame[COLUMN_NAMES].itertuples(index=False, name=None):
        yield [_typed(kind, value) for kind, value in zip(kinds, row, strict=True)]


def _typed(kind: str, value):
    if _missing(value):
        return None
    if kind == INTEGER:
        return int(value)
    if kind in (MONEY, PROBABILITY):
        number = float(value)
        return None if not math.isfinite(number) else round(number, 4 if kind == MONEY else 6) + 0.0  # + 0.0: no -0.0
    if kind == TEXT:
        return str(value)
    if kind == TIMESTAMP:
        return pd.Timestamp(value).to_pydatetime().replace(tzinfo=None)
    if kind == DATE:
        return pd.Timestamp(value).date()
    return bool(value)


def _missing(value) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def csv_field(kind: str, value) -> str:
    """One CSV field: numbers, dates and flags bare, text neutralised and quoted, NULL empty."""
    if value is None:
        return ""
    if kind == TEXT:
        return csv_text(value)
    if kind == MONEY:
        return _money(value)
    if kind == PROBABILITY:
        return f"{value:.6f}"
    if kind == TIMESTAMP:
        return value.isoformat(timespec="seconds")
    if kind == DATE:
        return value.isoformat()
    if kind == FLAG:
        return "true" if value else "false"
    return str(value)


def _money(value: float) -> str:
    """Fixed point, two to four decimals: 6.90, -8.15, 1234.5625 (never 1e-05)."""
    text = f"{value:.4f}"
    while text.endswith("0") and len(text) - text.index(".") > 3:
        text = text[:-1]
    return text


# -- files ----------------------------------------------------------------------------------


def write_csv(path: Path, rows: list[list]) -> None:
    """RFC 4180: comma separated, CRLF line ends, plain UTF-8, a header line of column names."""
    kinds = [kind for _, kind in COLUMNS]
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write(",".join(COLUMN_NAMES) + "\r\n")
        for row in rows:
            file.write(",".join(csv_field(kind, value) for kind, value in zip(kinds, row, strict=True)) + "\r\n")


def write_xlsx(path: Path, name: str, rows: list[list]) -> None:
    """One worksheet (more past Excel's row limit): a bold frozen header with filters, typed
    cells. Text is written with write_string, so no value ever becomes a formula or a link."""
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False, "remove_timezone": True}
    workbook = xlsxwriter.Workbook(str(path), options)
    try:
        header = workbook.add_format({"bold": True})
        formats = {kind: workbook.add_format({"num_format": number_format}) for kind, number_format in XLSX_FORMATS.items()}
        chunks = [rows[start : start + EXCEL_DATA_ROWS] for start in range(0, len(rows), EXCEL_DATA_ROWS)] or [[]]
        for number, chunk in enumerate(chunks, start=1):
            sheet = workbook.add_worksheet(name[:31] if number == 1 else f"{name[:25]} ({number})")
            _write_sheet(sheet, chunk, header, formats)
    finally:
        workbook.close()


def _write_sheet(sheet, rows: list[list], header, formats: dict) -> None:
    for column, (title, kind) in enumerate(COLUMNS):
        sheet.write_string(0, column, title, header)
        sheet.set_column(column, column, max(len(title) + 2, XLSX_WIDTHS.get(kind, 0)))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
    for line, row in enumerate(rows, start=1):
        for column, ((_, kind), value) in enumerate(zip(COLUMNS, row, strict=True)):
            if value is None:
                continue
            if kind == TEXT:
                sheet.write_string(line, column, neutralise(value))
            elif kind == FLAG:
                sheet.write_boolean(line, column, value)
            elif kind in (TIMESTAMP, DATE):
                moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
                sheet.write_datetime(line, column, moment, formats[kind])
            else:
                sheet.write_number(line, column, value, formats.get(kind))


def _replace(path: Path, write: Callable[[Path], None]) -> Path:
    """Write next to `path`, then move into place: an import never reads half a file."""
    part = path.with_name(f"{path.stem}.partial{path.suffix}")
    try:
        write(part)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return path
