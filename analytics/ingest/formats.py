"""The raw export formats we accept, and how a header and a first date tell them apart.

Online Retail (I) - the UCI file and the Kaggle "E-Commerce Data" data.csv - share one header;
Online Retail II renames four columns. The Kaggle CSV writes dates as ``12/1/2010 8:26``,
the UCI conversions as ``2010-12-01 08:26:00`` (or as Excel datetimes in the xlsx).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from core.errors import UserError

# The one set of column names every export is mapped to.
CANONICAL_COLUMNS = (
    "invoice_no",
    "stock_code",
    "description",
    "quantity",
    "invoice_date",
    "unit_price",
    "customer_id",
    "country",
)

ONLINE_RETAIL_HEADER = {
    "InvoiceNo": "invoice_no",
    "StockCode": "stock_code",
    "Description": "description",
    "Quantity": "quantity",
    "InvoiceDate": "invoice_date",
    "UnitPrice": "unit_price",
    "CustomerID": "customer_id",
    "Country": "country",
}
ONLINE_RETAIL_II_HEADER = {
    "Invoice": "invoice_no",
    "StockCode": "stock_code",
    "Description": "description",
    "Quantity": "quantity",
    "InvoiceDate": "invoice_date",
    "Price": "unit_price",
    "Customer ID": "customer_id",
    "Country": "country",
}
HEADER_FAMILIES = {"Online Retail": ONLINE_RETAIL_HEADER, "Online Retail II": ONLINE_RETAIL_II_HEADER}

# strptime-style formats for text dates; Excel cells arrive as datetimes already.
MONTH_FIRST_DATES = "%m/%d/%Y %H:%M"
ISO_DATES = "ISO8601"
EXCEL_DATES = "excel"
_MONTH_FIRST = re.compile(r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}(:\d{2})?$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")


@dataclass(frozen=True)
class ExportFormat:
    """What was detected for one table of raw rows (a CSV file or one xlsx sheet)."""

    name: str  # e.g. 'Kaggle "E-Commerce Data" (data.csv)'
    family: str  # key of HEADER_FAMILIES
    columns: dict[str, str]  # raw header name as found -> canonical name
    date_format: str  # MONTH_FIRST_DATES, ISO_DATES or EXCEL_DATES


def _normalised(name: object) -> str:
    """Header names compared without case, spaces or underscores ('Customer ID' == 'CustomerID')."""
    return re.sub(r"[\s_]", "", str(name)).lower()


def map_header(header: list[object], where: str) -> tuple[str, dict[str, str]]:
    """Match a header to an export family; returns the family and raw -> canonical column names."""
    found = {_normalised(h): str(h) for h in header if h is not None and str(h).strip()}
    best_family, best_missing = None, None
    for family, expected in HEADER_FAMILIES.items():
        missing = [raw for raw in expected if _normalised(raw) not in found]
        if not missing:
            return family, {found[_normalised(raw)]: canonical for raw, canonical in expected.items()}
        if best_missing is None or len(missing) < len(best_missing):
            best_family, best_missing = family, missing
    expected_names = ", ".join(HEADER_FAMILIES[best_family])
    raise UserError(
        f"{where}: missing required column(s) {', '.join(best_missing)}.\n"
        f"  Expected the {best_family} export columns: {expected_names}\n"
        f"  Found: {', '.join(str(h) for h in header) or '(no header)'}\n"
        f"  Export the file again with its original header, or rename the columns to match."
    )


def _date_style(value: object) -> str | None:
    if isinstance(value, datetime):
        return EXCEL_DATES
    text = str(value).strip()
    if _MONTH_FIRST.match(text):
        return MONTH_FIRST_DATES
    if _ISO.match(text):
        return ISO_DATES
    return None


def date_format_of(samples: list[object], where: str) -> str:
    """The date style of the first recognisable InvoiceDate among the sampled values.

    Values in no known style are left for cleaning to quarantine row by row; only a sample
    with no recognisable date at all stops the run.
    """
    present = [v for v in samples if v is not None and str(v).strip() not in ("", "nan", "NaT")]
    for value in present:
        if style := _date_style(value):
            return style
    if not present:  # nothing to parse either (an empty monthly drop)
        return ISO_DATES
    raise UserError(
        f"{where}: cannot tell the date format from the InvoiceDate values, e.g. {str(present[0]).strip()!r}.\n"
        f"  Accepted: '12/1/2010 8:26' (month first, as in the Kaggle data.csv), "
        f"'2010-12-01 08:26:00' (ISO) or Excel date cells."
    )


def detect_format(header: list[object], sample_rows: list[dict], where: str) -> ExportFormat:
    """Detect the export from its header and the first rows (given as records keyed by header)."""
    family, columns = map_header(header, where)
    date_column = next(raw for raw, canonical in columns.items() if canonical == "invoice_date")
    date_format = date_format_of([row.get(date_column) for row in sample_rows], where)
    if family == "Online Retail II":
        name = "UCI Online Retail II"
    elif date_format == MONTH_FIRST_DATES:
        name = 'Kaggle "E-Commerce Data" (data.csv)'
    else:
        name = "UCI Online Retail"
    return ExportFormat(name=name, family=family, columns=columns, date_format=date_format)
