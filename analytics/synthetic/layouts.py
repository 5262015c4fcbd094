"""The public export layouts (UCI, Kaggle "E-Commerce Data", Online Retail II) and the streaming CSV writer.

The layout changes the header, the date style, how a CustomerID is written and the encoding,
never the data.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.synthetic.calibration import COUNTRIES
from analytics.synthetic.invoices import INVOICE_PREFIX
from analytics.synthetic.lines import LINE_MAKERS
from analytics.synthetic.plan import Plan


@dataclass(frozen=True)
class Layout:
    """How one public export writes the same data."""

    columns: tuple[str, ...]
    kaggle_dates: bool  # 12/1/2010 8:26 instead of 2010-12-01 08:26:00
    customer_as_float: bool  # 17850.0 instead of 17850
    encoding: str


_UCI_COLUMNS = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country")
_II_COLUMNS = ("Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID", "Country")
LAYOUTS = {
    "uci": Layout(_UCI_COLUMNS, kaggle_dates=False, customer_as_float=False, encoding="utf-8"),
    "kaggle": Layout(_UCI_COLUMNS, kaggle_dates=True, customer_as_float=True, encoding="iso-8859-1"),
    "ii": Layout(_II_COLUMNS, kaggle_dates=False, customer_as_float=True, encoding="utf-8"),
}
EXPORT_FORMATS = tuple(LAYOUTS)


def chunk_frame(plan: Plan, a: int, b: int, layout: Layout) -> pd.DataFrame:
    """The rows of invoices a..b-1 as a frame of the export layout."""
    size = plan.size[a:b]
    inv = np.repeat(np.arange(a, b), size)
    pos = np.arange(len(inv)) - np.repeat(plan.start[a:b] - plan.start[a], size)
    n = len(inv)
    item = np.empty(n, dtype=np.int64)
    qty = np.empty(n, dtype=np.int64)
    price = np.empty(n, dtype=np.float64)
    desc = np.empty(n, dtype=np.int64)
    kind = plan.kind[inv]
    for k, make in LINE_MAKERS.items():
        mask = kind == k
        if mask.any():
            lines = make(plan, inv[mask], pos[mask])
            item[mask], qty[mask], price[mask], desc[mask] = lines.item, lines.qty, lines.price, lines.desc

    local = inv - a
    invoice_no = INVOICE_PREFIX[plan.kind[a:b]] + plan.number[a:b].astype(str).astype(object)
    customer = plan.customer[inv]
    if layout.customer_as_float:  # 17850.0, empty when missing
        customer_col = np.where(customer > 0, customer, np.nan)
    else:  # 17850, empty when missing
        customer_col = pd.arrays.IntegerArray(customer, customer == 0)
    columns = [
        invoice_no[local],
        plan.catalog.codes[item],
        plan.catalog.descriptions[desc],
        qty,
        _date_strings(plan.minute[a:b], layout.kaggle_dates)[local],
        price,
        customer_col,
        np.array(COUNTRIES, dtype=object)[plan.country[inv]],
    ]
    return pd.DataFrame(dict(zip(layout.columns, columns, strict=True)))


def _date_strings(minute: np.ndarray, kaggle: bool) -> np.ndarray:
    """'2010-12-01 08:26:00', or '12/1/2010 8:26' (M/D/YYYY H:MM, no zero padding) for Kaggle."""
    if not kaggle:
        text = np.datetime_as_string(minute, unit="s")
        return np.char.replace(text, "T", " ").astype(object)
    t = pd.DatetimeIndex(minute)
    return np.array([f"{m}/{d}/{y} {h}:{mi:02d}" for m, d, y, h, mi in zip(t.month, t.day, t.year, t.hour, t.minute, strict=True)], dtype=object)


def write_csv(plan: Plan, raw: io.BufferedIOBase, layout: Layout, chunk_rows: int, gzipped: bool) -> int:
    """Stream the plan's rows into `raw` chunk by chunk; returns the number of rows written."""
    # mtime=0 and no file name keep the gzip bytes identical from run to run
    binary = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) if gzipped else raw
    written = 0
    with io.TextIOWrapper(binary, encoding=layout.encoding, newline="") as text:
        end = np.cumsum(plan.size)
        a = 0
        while a < len(plan.size):
            b = int(np.searchsorted(end, written + chunk_rows, side="left")) + 1
            b = min(max(b, a + 1), len(plan.size))
            frame = chunk_frame(plan, a, b, layout)
            frame.to_csv(text, header=(a == 0), index=False, lineterminator="\n")
            written += len(frame)
            a = b
    return written
