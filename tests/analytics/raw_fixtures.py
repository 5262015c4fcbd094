"""Hand-made raw rows, one or more per cleaning rule, and writers for every export format.

The writers are deliberately independent of the product's readers: headers, date styles and
encodings are spelled out here as each public export has them.
"""

from __future__ import annotations

import gzip
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd

D = datetime
# invoice, stock code, description, quantity, date, unit price, customer, country, expected rule
TYPED_ROWS = [
    ("536365", "85123A", " WHITE HANGING HEART T-LIGHT HOLDER ", 6, D(2010, 12, 1, 8, 26), 2.55, 17850, "United Kingdom", "sale"),
    ("536365", "71053", "WHITE METAL LANTERN", 6, D(2010, 12, 1, 8, 26), 3.39, 17850, "United Kingdom", "sale"),
    ("536365", "71053", "WHITE METAL LANTERN", 6, D(2010, 12, 1, 8, 26), 3.39, 17850, "United Kingdom", "exact_duplicate"),
    ("536366", "POST", "POSTAGE", 2, D(2010, 12, 1, 8, 28), 18.0, 12583, "France", "sale"),
    ("536367", "22633", "HAND WARMER UNION JACK", 6, D(2010, 12, 1, 8, 34), 1.85, None, "United Kingdom", "missing_customer"),
    ("C536379", "D", "Discount", -1, D(2010, 12, 1, 9, 41), 27.5, 14527, "United Kingdom", "cancellation"),
    ("C536383", "35004C", "SET OF 3 COLOURED  FLYING DUCKS", -1, D(2010, 12, 1, 9, 49), 4.65, 15311, "United Kingdom", "cancellation"),
    ("536414", "22139", None, 56, D(2010, 12, 1, 11, 52), 0.0, None, "United Kingdom", "missing_customer"),
    ("537032", "21275", "?", -30, D(2010, 12, 3, 16, 50), 0.0, None, "United Kingdom", "stock_write_off"),
    ("536981", "22945", "CHRISTMAS METAL TAGS", 12, D(2010, 12, 3, 11, 48), 0.0, 13012, "United Kingdom", "zero_price"),
    ("A563185", "B", "Adjust bad debt", 1, D(2011, 8, 12, 14, 50), 11062.06, None, "United Kingdom", "bad_debt_adjustment"),
    ("A563186", "B", "Adjust bad debt", 1, D(2011, 8, 12, 14, 51), -11062.06, None, "United Kingdom", "bad_debt_adjustment"),
    ("C536390", "22941", "CHRISTMAS LIGHTS", 2, D(2010, 12, 1, 10, 19), 8.5, 17511, "United Kingdom", "cancellation_not_negative"),
    ("536500", "TEST001", "This is a test product.", 5, D(2010, 12, 1, 12, 0), 4.5, 12346, "United Kingdom", "test_transaction"),
    ("536501", "22728", "ALARM CLOCK BAKELIKE PINK", 0, D(2010, 12, 1, 12, 5), 3.75, 12346, "Germany", "zero_quantity"),
    ("536503", "85099b", "JUMBO BAG RED RETROSPOT", 10, D(2010, 12, 1, 12, 7), 1.95, 13047, "EIRE", "sale"),
    ("536504", "gift_0001_20", "Dotcomgiftshop Gift Voucher £20.00", 1, D(2010, 12, 1, 12, 9), 17.02, 14911, "EIRE", "sale"),
]
# Rows only a text cell can carry (CSV, or a text cell in a workbook): values that do not parse.
UNPARSEABLE_ROWS = [
    ("536505", "22728", "ALARM CLOCK", "six", D(2010, 12, 1, 12, 10), 3.75, 12346, "Germany", "unparseable_value"),
    ("536506", "22728", "ALARM CLOCK", 2, "not a date", 3.75, 12346, "Germany", "unparseable_value"),
    ("536507", "22728", "ALARM CLOCK", 2, D(2010, 12, 1, 12, 12), "3,75", "ABC", "Germany", "unparseable_value"),
    ("", "22728", "ALARM CLOCK", 2, D(2010, 12, 1, 12, 13), 3.75, 12346, "Germany", "unparseable_value"),
]
ALL_ROWS = TYPED_ROWS + UNPARSEABLE_ROWS

ONLINE_RETAIL = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
ONLINE_RETAIL_II = ["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID", "Country"]


def expected_rules(rows) -> list[str]:
    return [row[-1] for row in rows]


def _text(value, date_style: str, float_ids: bool = False, is_customer: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if date_style == "month_first":  # Kaggle data.csv: 12/1/2010 8:26
            return f"{value.month}/{value.day}/{value.year} {value.hour}:{value.minute:02d}"
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if is_customer and float_ids and isinstance(value, int):
        return f"{value}.0"
    return str(value)


def write_csv(rows, path: Path, header, date_style="iso", encoding="utf-8", float_ids=False, compress=False) -> Path:
    lines = [",".join(header)]
    for row in rows:
        cells = [_text(v, date_style, float_ids, is_customer=(i == 6)) for i, v in enumerate(row[:8])]
        lines.append(",".join(f'"{c}"' if ("," in c or c.startswith(" ") or c.endswith(" ")) else c for c in cells))
    data = ("\n".join(lines) + "\n").encode(encoding)
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def write_xlsx(rows, path: Path, header, sheets: list[str]) -> Path:
    """Rows split evenly over `sheets`, with numeric-looking codes stored as numbers like Excel does."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    per_sheet = -(-len(rows) // len(sheets))
    for n, title in enumerate(sheets):
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for row in rows[n * per_sheet : (n + 1) * per_sheet]:
            sheet.append([int(v) if i in (0, 1) and isinstance(v, str) and v.isdigit() else v for i, v in enumerate(row[:8])])
    workbook.save(path)
    return path


def write_parquet(rows, path: Path) -> Path:
    """Like the public parquet conversion: CustomerID float (NaN when missing), dates as text."""
    frame = pd.DataFrame([row[:8] for row in rows], columns=ONLINE_RETAIL)
    frame["InvoiceDate"] = frame["InvoiceDate"].map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S"))
    frame["CustomerID"] = frame["CustomerID"].astype("float64")
    frame.to_parquet(path)
    return path


def write_every_format(folder: Path) -> dict[str, tuple[Path, list, str]]:
    """name -> (the file written, the rows it carries, the export name the log should report)."""
    kaggle = write_csv(ALL_ROWS, folder / "data.csv", ONLINE_RETAIL, "month_first", "ISO-8859-1", float_ids=True)
    ii_xlsx = write_xlsx(ALL_ROWS, folder / "online_retail_II.xlsx", ONLINE_RETAIL_II, ["Year 2009-2010", "Year 2010-2011"])
    return {
        "kaggle_csv": (kaggle, ALL_ROWS, 'Kaggle "E-Commerce Data" (data.csv)'),
        "uci_csv": (write_csv(ALL_ROWS, folder / "online_retail.csv", ONLINE_RETAIL), ALL_ROWS, "UCI Online Retail"),
        "uci_csv_gz": (write_csv(ALL_ROWS, folder / "online_retail.csv.gz", ONLINE_RETAIL, compress=True), ALL_ROWS, "UCI Online Retail"),
        "uci_xlsx": (write_xlsx(ALL_ROWS, folder / "Online Retail.xlsx", ONLINE_RETAIL, ["Online Retail"]), ALL_ROWS, "UCI Online Retail"),
        "ii_csv": (write_csv(ALL_ROWS, folder / "online_retail_II.csv", ONLINE_RETAIL_II, float_ids=True), ALL_ROWS, "UCI Online Retail II"),
        "ii_xlsx": (ii_xlsx, ALL_ROWS, "UCI Online Retail II"),
        "uci_parquet": (write_parquet(TYPED_ROWS, folder / "online_retail.parquet"), TYPED_ROWS, "UCI Online Retail"),
    }
