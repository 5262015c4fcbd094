"""Type a chunk of raw rows and give every row exactly one disposition: sale, return or excluded.

The rules are applied in the order of `RULES`; the first rule that matches a row decides it, so
a row is counted once and the ledger always adds up. With the plain rules published for the UCI
file (drop exact duplicates, keep Quantity > 0, UnitPrice > 0 and a CustomerID) the sales stream
is exactly those 392,692 rows: the extra rules here only name *why* the other rows are left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from analytics.ingest.formats import EXCEL_DATES, ISO_DATES

SALE, RETURN, EXCLUDED = "sale", "return", "excluded"


@dataclass(frozen=True)
class Rule:
    name: str
    disposition: str
    meaning: str


RULES = (
    Rule("unparseable_value", EXCLUDED, "a required value is missing or is not of its type"),
    Rule("exact_duplicate", EXCLUDED, "an exact copy of an earlier row"),
    Rule("bad_debt_adjustment", EXCLUDED, "accounting entry (invoice A..., stock code B or a negative price)"),
    Rule("test_transaction", EXCLUDED, "test item (a stock code containing TEST)"),
    Rule("stock_write_off", EXCLUDED, "negative quantity outside a cancellation: damaged, lost or counted stock"),
    Rule("missing_customer", EXCLUDED, "no CustomerID, so it cannot be attributed to a customer"),
    Rule("cancellation_not_negative", EXCLUDED, "cancellation invoice (C...) with a zero or positive quantity"),
    Rule("cancellation", RETURN, "a return or cancellation of an earlier sale"),
    Rule("zero_price", EXCLUDED, "unit price 0: a free item or a correction"),
    Rule("zero_quantity", EXCLUDED, "quantity 0"),
    Rule("sale", SALE, "a sale"),
)
RULES_BY_NAME = {rule.name: rule for rule in RULES}

# Stock codes that are not goods. They stay in sales revenue (they were charged), but carry a
# product type so product association and product rankings can leave them out.
NON_PRODUCT_CODES = {
    "POST": "postage",
    "DOT": "postage",
    "C2": "postage",  # carriage
    "M": "manual",
    "D": "discount",
    "S": "sample",
    "B": "bad_debt",
    "BANK CHARGES": "fee",
    "AMAZONFEE": "fee",
    "CRUK": "commission",
    "PADS": "other_non_product",
    "ADJUST": "adjustment",
    "ADJUST2": "adjustment",
}
PRODUCT = "product"

TEXT_COLUMNS = ("invoice_no", "stock_code", "description", "country")
# The values two rows must share to be exact duplicates (all eight exported columns).
DUPLICATE_KEY = ("invoice_no", "stock_code", "description", "quantity", "invoice_date", "unit_price", "customer_id", "country")


@dataclass
class ClassifiedChunk:
    rows: pd.DataFrame  # typed canonical columns + product_type, revenue, disposition, rule
    quarantine: pd.DataFrame  # excluded rows: their values as text, rule and reason


class DuplicateTracker:
    """Remembers a 64-bit hash of every row seen in this run, across chunks and files.

    A sorted uint64 array costs 8 bytes a row (80 MB at 10M rows) and merges in linear time,
    instead of a Python set's ~70 bytes a row. The chance of two different rows sharing a hash
    among 10M rows is about 3 in a million.
    """

    def __init__(self) -> None:
        self._seen = np.empty(0, dtype=np.uint64)

    def already_seen(self, hashes: np.ndarray) -> np.ndarray:
        """True for each hash seen before (in an earlier chunk, or earlier in this one); remembers them all."""
        earlier_in_chunk = pd.Series(hashes).duplicated().to_numpy()
        positions = np.searchsorted(self._seen, hashes)
        in_range = positions < len(self._seen)
        seen_before = np.zeros(len(hashes), dtype=bool)
        seen_before[in_range] = self._seen[positions[in_range]] == hashes[in_range]
        repeated = earlier_in_chunk | seen_before
        new = np.sort(hashes[~repeated])
        self._seen = np.insert(self._seen, np.searchsorted(self._seen, new), new)
        return repeated


def _cell_text(value: object) -> object:
    """Text of one xlsx/parquet cell: integers from Excel lose their '.0', empty cells stay None."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _untrimmed_text(values: pd.Series) -> pd.Series:
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        return values.map(_cell_text)
    return values


def as_text(values: pd.Series) -> pd.Series:
    """Trimmed text with None for empty values."""
    text = _untrimmed_text(values).str.strip()
    return text.where(text.notna() & (text != ""), None)


def _numbers(text: pd.Series) -> pd.Series:
    return pd.to_numeric(text, errors="coerce").astype("float64")


def _dates(raw: pd.Series, text: pd.Series, date_format: str) -> pd.Series:
    if date_format == EXCEL_DATES:
        return pd.to_datetime(raw.where(text.notna(), None), errors="coerce", format="mixed")
    return pd.to_datetime(text, errors="coerce", format=date_format if date_format != ISO_DATES else "ISO8601")


def product_type(stock_code: pd.Series) -> pd.Series:
    """Classify upper-cased stock codes: 'product' or the kind of non-product line."""
    types = stock_code.map(NON_PRODUCT_CODES)
    types = types.mask(types.isna() & stock_code.str.startswith("GIFT_0001", na=False), "gift_voucher")
    types = types.mask(types.isna() & stock_code.str.contains("TEST", na=False), "test")
    return types.fillna(PRODUCT)


def classify_chunk(raw: pd.DataFrame, date_format: str, duplicates: DuplicateTracker) -> ClassifiedChunk:
    """Type one chunk of raw rows (canonical columns, index = source row) and classify every row."""
    text = pd.DataFrame({column: as_text(raw[column]) for column in raw.columns}, index=raw.index)
    quantity = _numbers(text["quantity"])
    unit_price = _numbers(text["unit_price"])
    customer = _numbers(text["customer_id"])
    invoice_date = _dates(raw["invoice_date"], text["invoice_date"], date_format)

    problems = [
        (text["invoice_no"].isna(), "invoice_no is empty"),
        (text["stock_code"].isna(), "stock_code is empty"),
        (~_whole(quantity), "quantity " + _quoted(text["quantity"]) + " is not a whole number"),
        (invoice_date.isna(), "invoice_date " + _quoted(text["invoice_date"]) + " is not a date in this file's format"),
        (~np.isfinite(unit_price), "unit_price " + _quoted(text["unit_price"]) + " is not a number"),
        (text["customer_id"].notna() & ~_whole(customer), "customer_id " + _quoted(text["customer_id"]) + " is not a whole number"),
    ]
    unparseable = np.logical_or.reduce([bad.to_numpy() for bad, _ in problems])

    typed = pd.DataFrame(
        {
            "invoice_no": text["invoice_no"],
            "stock_code": text["stock_code"],
            "description": text["description"],
            "quantity": quantity.where(~unparseable).astype("Int64"),
            "invoice_date": invoice_date,
            "unit_price": unit_price,
            "customer_id": customer.where(_whole(customer)).astype("Int64"),
            "country": text["country"],
        },
        index=raw.index,
    )
    # Exact means exact: 'LANTERN' and 'LANTERN ' are different descriptions, so the key uses the
    # description as exported; other values compare typed ('17850' == '17850.0' across exports).
    key = typed[list(DUPLICATE_KEY)].assign(description=_untrimmed_text(raw["description"]))
    hashes = pd.util.hash_pandas_object(key, index=False).to_numpy()
    duplicate = np.zeros(len(typed), dtype=bool)
    duplicate[~unparseable] = duplicates.already_seen(hashes[~unparseable])

    # Case-insensitive keys on SQL Server: '15056bl' and '15056BL' are one product.
    typed["stock_code"] = typed["stock_code"].str.upper()
    typed["country"] = typed["country"].fillna("Unspecified")
    typed["product_type"] = product_type(typed["stock_code"])
    typed["revenue"] = (typed["quantity"].astype("float64") * unit_price).round(4)

    invoice = typed["invoice_no"].fillna("")
    is_cancellation = invoice.str.upper().str.startswith("C").to_numpy()
    qty = typed["quantity"].fillna(0).to_numpy()
    price = unit_price.fillna(0).to_numpy()
    conditions = {
        "unparseable_value": unparseable,
        "exact_duplicate": duplicate,
        "bad_debt_adjustment": invoice.str.upper().str.startswith("A").to_numpy() | (typed["product_type"] == "bad_debt").to_numpy() | (price < 0),
        "test_transaction": (typed["product_type"] == "test").to_numpy(),
        "stock_write_off": (qty < 0) & ~is_cancellation,
        "missing_customer": typed["customer_id"].isna().to_numpy(),
        "cancellation_not_negative": is_cancellation & (qty >= 0),
        "cancellation": is_cancellation,
        "zero_price": price == 0,
        "zero_quantity": qty == 0,
    }
    rule = np.select(list(conditions.values()), list(conditions.keys()), default="sale")
    typed["rule"] = rule
    typed["disposition"] = pd.Series(rule, index=typed.index).map({r.name: r.disposition for r in RULES})

    excluded = typed["disposition"].to_numpy() == EXCLUDED
    reason = _reasons(problems, unparseable, typed["rule"])
    quarantine = text[excluded].assign(rule=rule[excluded], reason=reason[excluded])
    return ClassifiedChunk(rows=typed, quarantine=quarantine)


def _whole(numbers: pd.Series) -> pd.Series:
    return np.isfinite(numbers) & (numbers % 1 == 0)


def _quoted(text: pd.Series) -> pd.Series:
    return "'" + text.fillna("") + "'"


def _reasons(problems, unparseable: np.ndarray, rule: pd.Series) -> np.ndarray:
    """Why each excluded row was excluded: the failed checks for unparseable rows, else the rule's meaning."""
    reason = rule.map({r.name: r.meaning for r in RULES}).to_numpy(dtype=object)
    if unparseable.any():
        details = pd.Series("", index=rule.index)
        for bad, message in problems:
            message = message if isinstance(message, pd.Series) else pd.Series(message, index=rule.index)
            details = details.where(~bad, details + np.where(details == "", "", "; ") + message)
        reason[unparseable] = details.to_numpy()[unparseable]
    return reason
