"""Deterministic synthetic raw exports shaped like the UCI "Online Retail" data set.

``generate(rows, seed, out)`` writes ``rows`` raw transaction lines in one of the public export
layouts (UCI, Kaggle "E-Commerce Data", Online Retail II) with the real file's quirks at the real
rates: guest invoices without a CustomerID, cancellations, stock write-offs, zero prices, bad-debt
adjustments, exact duplicate lines, non-product stock codes and several descriptions per code.
Tests and benchmarks use it at any size, from a handful of rows to tens of millions.

Every real figure below was measured on the complete UCI file
(``/work/shared/data/online_retail``, 541,909 rows; see DATA.md and SOURCES.md there).

How it stays deterministic and streams in bounded memory:

1. A *plan* is drawn from one ``numpy.random.Generator(seed)``: the product catalogue, the
   customers, and one entry per invoice (kind, number of lines, time, customer, country, the
   earlier invoice a cancellation refers to). These arrays are O(invoices), about rows / 21.
2. The lines are then produced invoice block by invoice block. Every line-level draw is a counter
   based hash of ``(seed, invoice, line, stream)``, so a line's content never depends on which
   chunk it was produced in (``chunk_rows`` does not change the output), and a cancellation can
   recompute the exact lines of the earlier invoice it cancels without keeping them in memory.

The data depend on ``(rows, seed)`` only; the export format changes the layout, not the data.
Row totals per kind of invoice (guest sales, cancellations, write-offs, ...) are fixed from the
real shares, and rows per month follow the real seasonality, so the rates hold at any size.

Limits: invoice numbers are 6 digits up to about 9.7 million rows and run on to 7 digits beyond;
customers grow linearly up to 87,654 (about 10.9 million rows) so that their ids keep 5 digits;
the catalogue stops growing at 4,000 products (from 520,000 rows).
"""

from __future__ import annotations

import gzip
import io
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["EXPORT_FORMATS", "generate"]

# --------------------------------------------------------------------------------------------
# Real figures (UCI "Online Retail", 541,909 rows; DATA.md "What is wrong" and measured with pandas)
# --------------------------------------------------------------------------------------------
REAL_ROWS = 541_909
REAL_CUSTOMERS = 4_372  # DATA.md reference figures: distinct customers with any row
REAL_MISSING_CUSTOMER_ROWS = 135_080  # DATA.md: 24.9 % of rows have no CustomerID
REAL_CANCEL_ROWS = 9_288  # DATA.md: InvoiceNo starting with "C"
REAL_CANCEL_INVOICES = 3_836  # measured: 2.42 lines per cancellation invoice
REAL_GUEST_CANCEL_ROWS = 383  # measured: cancellation lines without a CustomerID
REAL_WRITE_OFF_ROWS = 1_336  # DATA.md: negative Quantity without "C"; measured: one line per invoice
REAL_ZERO_SINGLE_ROWS = 760  # measured: one-line invoices with UnitPrice 0 and Quantity > 0, no customer
REAL_ZERO_GUEST_LINES = 379  # measured: zero-price lines inside multi-line guest invoices
REAL_ZERO_CUSTOMER_LINES = 40  # measured: zero-price lines with a CustomerID
REAL_ADJUST_ROWS = 3  # DATA.md: A563185..A563187, StockCode B, +/-11,062.06
REAL_DUPLICATE_ROWS = 5_268  # DATA.md: exact duplicate rows (measured: 98 % in customer invoices)
REAL_MULTI_COUNTRY_CUSTOMERS = 8  # DATA.md: customers under more than one Country
REAL_CUSTOMER_INVOICE_LINES = 21.47  # measured: 397,924 lines / 18,536 customer sale invoices
REAL_GUEST_INVOICE_LINES = 92.79  # measured: 132,598 lines / 1,429 guest sale invoices
REAL_GUEST_SALE_ROWS = (
    REAL_MISSING_CUSTOMER_ROWS - REAL_GUEST_CANCEL_ROWS - REAL_WRITE_OFF_ROWS - REAL_ZERO_SINGLE_ROWS - REAL_ADJUST_ROWS
)  # 132,598
REAL_SALE_ROWS = REAL_ROWS - REAL_CANCEL_ROWS - REAL_WRITE_OFF_ROWS - REAL_ZERO_SINGLE_ROWS - REAL_ADJUST_ROWS

FIRST_INVOICE = 536_365  # SOURCES.md: row 0 is invoice 536365
REAL_INVOICE_NUMBER_STEP = 45_223 / 25_900  # measured: 536365..581587 spans 45,223 numbers for 25,900 invoices
LAST_6_DIGIT_INVOICE = 999_999
FIRST_CUSTOMER_ID = 12_346  # measured: CustomerID 12346..18287
REAL_CUSTOMER_ID_STEP = (18_287 - 12_346 + 1) / REAL_CUSTOMERS  # 1.36 ids per customer
MAX_CUSTOMERS = 99_999 - FIRST_CUSTOMER_ID + 1  # keeps customer ids at 5 digits
BAD_DEBT_PRICE = 11_062.06  # DATA.md: +11,062.06 once, then -11,062.06 twice

# Period and seasonality. SOURCES.md: rows per month; measured: the shop closes on Saturdays and
# on the days below (Christmas/New Year and UK bank holidays without any invoice).
PERIOD_START = np.datetime64("2010-12-01T08:00", "m")
PERIOD_END = np.datetime64("2011-12-09T20:00", "m")
MONTH_ROWS = {
    "2010-12": 42_481, "2011-01": 35_147, "2011-02": 27_707, "2011-03": 36_748, "2011-04": 29_916,
    "2011-05": 37_030, "2011-06": 36_874, "2011-07": 39_518, "2011-08": 35_284, "2011-09": 50_226,
    "2011-10": 60_742, "2011-11": 84_711, "2011-12": 25_525,
}  # fmt: skip
CLOSED_DAYS = (
    "2010-12-24", "2010-12-26", "2010-12-27", "2010-12-28", "2010-12-29", "2010-12-30", "2010-12-31",
    "2011-01-01", "2011-01-02", "2011-01-03", "2011-04-22", "2011-04-24", "2011-04-25", "2011-04-29",
    "2011-05-02", "2011-05-30", "2011-08-29",
)  # fmt: skip
# measured share of invoices by weekday (Monday first; no Saturday trading)
WEEKDAY_SHARE = np.array([0.160, 0.182, 0.186, 0.219, 0.162, 0.0, 0.092])
# measured share of invoices by hour of day, 06..20
HOURS = np.arange(6, 21)
HOUR_SHARE = np.array(
    [0.001, 0.001, 0.024, 0.070, 0.114, 0.122, 0.153, 0.130, 0.121, 0.118, 0.075, 0.047, 0.013, 0.008, 0.001]
)

# Invoice sizes as inverse-CDF tables (cumulative share, lines), measured on the real invoices.
CUSTOMER_INVOICE_LINES_CDF = (
    (0.0, 0.075, 0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70, 0.80, 0.90, 0.95, 0.99, 0.999, 1.0),
    (0, 1, 2, 5, 8, 11, 15, 19, 24, 32, 48, 65, 111, 231, 542),
)
GUEST_INVOICE_LINES_CDF = (
    (0.0, 0.153, 0.24, 0.36, 0.58, 0.79, 0.915, 0.99, 1.0),
    (0, 1, 3, 10, 50, 168, 280, 634, 1114),
)
CANCEL_INVOICE_LINES_CDF = (
    (0.0, 0.556, 0.758, 0.862, 0.901, 0.928, 0.957, 0.99, 1.0),
    (0, 1, 2, 3, 4, 5, 7, 18, 101),
)

# Quantities of product sale lines: measured shares of the 25 most common values (97.9 % of lines);
# the rest is a heavy tail (lognormal around 50, capped).
PACK_QUANTITIES = np.array([1, 2, 12, 6, 4, 3, 24, 10, 8, 5, 48, 25, 20, 16, 36, 7, 9, 72, 96, 100, 18, 30, 40, 32, 144])
PACK_SHARE = np.array(
    [0.2789, 0.1541, 0.1152, 0.0770, 0.0725, 0.0699, 0.0453, 0.0420, 0.0247, 0.0221, 0.0114, 0.0097, 0.0094,
     0.0080, 0.0072, 0.0055, 0.0038, 0.0037, 0.0034, 0.0034, 0.0034, 0.0022, 0.0020, 0.0020, 0.0019]
)  # fmt: skip
QUANTITY_TAIL_MEDIAN, QUANTITY_TAIL_SIGMA, QUANTITY_MAX = 50.0, 1.2, 12_000  # measured tail: p10 13, median 50, p90 288
QUANTITY_TAIL_MIN = 11
# Cheap products sell in bigger packs: measured median quantity 8 for the cheapest fifth of the
# products down to 2 for the dearest fifth. A line's quantile is shifted by slope * (r - r0) on the
# logit scale, r being the product's price rank in [0, 1] and r0 the mean rank over sold lines
# (so the overall median stays at 3, as in the file).
QUANTITY_PRICE_SLOPE = 2.0
PARTIAL_CANCEL_SHARE = 0.3  # cancellation lines returning only part of the quantity (real median 2 vs 3)
WRITE_OFF_QTY = (30.0, 1.6, 9_600)  # measured: median -30, p90 -268, min -9600 (median, sigma, cap)
ZERO_SINGLE_QTY = (3.0, 2.6, 5_000)  # measured: median 3, p90 89

# Products. Measured: 4,070 stock codes; per-code median price quantiles below; popularity as
# rows per code at a given popularity rank (rank 1 = 2,265 rows ... rank 3,898 = 1 row).
MAX_PRODUCTS = 4_000
ROWS_PER_PRODUCT = 130  # small files get fewer products: min(4000, max(30, rows // 130))
MIN_PRODUCTS = 30
PRICE_CDF = (
    (0.0, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99, 0.999, 1.0),
    (0.04, 0.39, 0.42, 1.25, 2.10, 4.13, 7.95, 9.95, 19.95, 65.0, 165.0),
)
POPULARITY_RANK = np.array([1, 2, 5, 10, 30, 100, 300, 500, 1000, 1500, 2000, 2500, 3000, 3500, 3898]) / 3898
POPULARITY_ROWS = np.array([2265, 2112, 1595, 1328, 1074, 689, 405, 293, 165, 104, 63, 33, 14, 4, 1])
POPULARITY_PRICE_NOISE = 1.9  # gives the measured rank correlation of -0.15 between rows per code and price
LETTER_CODE_SHARE = 1_091 / 4_070  # measured: codes with a letter suffix (85123A); 10 % lower-case
CODE_FIRST_DIGIT = {"2": 2385, "8": 713, "9": 384, "3": 152, "7": 150, "1": 122, "4": 115, "6": 9, "5": 7}
TRAILING_SPACE_SHARE = 0.2  # measured: 18 % of canonical descriptions end in a space, 21 % of rows
LEADING_SPACE_SHARE = 0.0025  # measured: canonical descriptions starting with a space
VARIANT_PRODUCT_SHARE = 0.055  # measured: 5.6 % of codes vary among priced lines (220 of 3,938)
NOTE_PRODUCT_SHARE = 0.12  # tuned: codes also carrying write-off/stock notes, ~16 % of codes in all (650 of 4,070)
VARIANT_LINE_SHARE = 0.3  # share of a variant product's lines that use the variant description

# Special (non-product) stock codes. Counts measured in the real file.
#   code, description, median price, price sigma, price decimals
SPECIAL_CODES = (
    ("POST", "POSTAGE", 18.0, 0.35, 0),
    ("DOT", "DOTCOM POSTAGE", 185.0, 0.75, 2),
    ("M", "Manual", 8.0, 2.0, 2),
    ("m", "Manual", 2.55, 0.5, 2),
    ("C2", "CARRIAGE", 50.0, 0.0, 2),
    ("D", "Discount", 23.0, 1.0, 2),
    ("S", "SAMPLES", 19.5, 1.0, 2),
    ("BANK CHARGES", "Bank Charges", 80.0, 1.2, 2),
    ("AMAZONFEE", "AMAZON FEE", 5900.0, 0.6, 2),
    ("CRUK", "CRUK Commission", 470.0, 1.1, 2),
    ("PADS", "PADS TO MATCH ALL CUSHIONS", 0.001, 0.0, 3),
    ("B", "Adjust bad debt", BAD_DEBT_PRICE, 0.0, 2),
    # vouchers are sold net of 17.5 % VAT (gift_0001_40 at 34.04); the real text carries the mojibake "Â£"
    *((f"gift_0001_{v}", f"Dotcomgiftshop Gift Voucher Â£{v}.00", round(v / 1.175, 2), 0.0, 2) for v in (10, 20, 30, 40, 50)),
)  # fmt: skip
_SPECIAL_INDEX = {code: i for i, (code, *_rest) in enumerate(SPECIAL_CODES)}
# Non-product lines inside sale invoices (measured rows, excluding POST/DOT which close an invoice).
SALE_MISC_ROWS = {
    "M": 326, "C2": 143, "BANK CHARGES": 12, "PADS": 4, "m": 1,
    "gift_0001_10": 9, "gift_0001_20": 10, "gift_0001_30": 8, "gift_0001_40": 3, "gift_0001_50": 4,
}  # fmt: skip
# Fee lines inside cancellation invoices (measured rows; D = Discount with quantity -1).
# POST: 126 cancelled postage lines, of which about 25 come from cancelling an invoice's POST line.
CANCEL_FEE_ROWS = {"M": 245, "POST": 100, "D": 77, "S": 61, "AMAZONFEE": 32, "BANK CHARGES": 25, "CRUK": 16}
REAL_POST_INVOICES = 1_130  # measured: sale lines with POST (59 % of non-UK customer invoices)
REAL_DOT_INVOICES = 696  # measured: guest lines with DOT (59 % of multi-line UK guest invoices)

# Notes typed into Description for stock write-offs and zero-price lines (measured counts).
WRITE_OFF_NOTES = {
    "check": 120, "damages": 45, "damaged": 42, "?": 41, "sold as set on dotcom": 20, "Damaged": 14,
    "thrown away": 9, "Unsaleable, destroyed.": 9, "??": 7, "damages?": 5, "ebay": 5, "wet damaged": 5,
    "smashed": 4, "CHECK": 3, "missing": 3, "wet pallet": 3, "lost": 2, "crushed": 2, "wet/rusty": 2,
}  # fmt: skip
WRITE_OFF_MISSING_DESCRIPTION = 862 / 1_336  # measured: write-offs without a Description
ZERO_NOTES = {"check": 39, "found": 25, "adjustment": 14, "amazon": 8, "Found": 8, "Amazon": 7}
ZERO_MISSING_DESCRIPTION = 592 / 1_179  # measured: zero-price positive lines without a Description
ZERO_NOTE_SHARE = 0.2  # measured: about 1 in 5 described one-line zero-price invoices carry a note

# Countries. Customers per (first) country, measured; guests' rows per country, measured.
CUSTOMER_COUNTRIES = {
    "United Kingdom": 3950, "Germany": 95, "France": 87, "Spain": 29, "Belgium": 24, "Switzerland": 20,
    "Portugal": 19, "Italy": 15, "Finland": 12, "Norway": 10, "Channel Islands": 9, "Austria": 9,
    "Australia": 9, "Netherlands": 9, "Japan": 8, "Sweden": 8, "Denmark": 8, "Cyprus": 7, "Poland": 6,
    "Canada": 4, "Unspecified": 4, "Greece": 4, "USA": 4, "Israel": 4, "EIRE": 3, "Malta": 2,
    "Bahrain": 2, "United Arab Emirates": 2, "Iceland": 1, "RSA": 1, "Lebanon": 1, "Saudi Arabia": 1,
    "Singapore": 1, "Brazil": 1, "Czech Republic": 1, "Lithuania": 1, "European Community": 1,
}  # fmt: skip
GUEST_COUNTRIES = {
    "United Kingdom": 133_600, "EIRE": 711, "Hong Kong": 288, "Unspecified": 202, "Switzerland": 125,
    "France": 66, "Israel": 47, "Portugal": 39, "Bahrain": 2,
}  # fmt: skip
COUNTRIES = tuple(dict.fromkeys([*CUSTOMER_COUNTRIES, *GUEST_COUNTRIES]))
UK = COUNTRIES.index("United Kingdom")
CUSTOMER_ACTIVITY_SIGMA = 1.5  # lognormal spread of invoices per customer (real: median 2, mean 4.3, max 210)
CANCEL_RECENCY = 0.015  # a cancellation mostly refers to one of the last ~1.5 % of sale invoices
CANCEL_CANDIDATES = 8  # recent candidates tried (and as many from any earlier time)
GUEST_CANCEL_SHARE = REAL_GUEST_CANCEL_ROWS / REAL_CANCEL_ROWS

# Exact duplicates: chance that a customer invoice line repeats the line before it, tuned so that
# df.duplicated() finds REAL_DUPLICATE_ROWS / REAL_ROWS = 0.97 % of rows (measured: 98 % of them
# in customer invoices; a few more arise in very large guest invoices).
DUPLICATE_LINE_SHARE = 0.0137

# Word lists for product descriptions, in the style of the real catalogue.
COLOURS = (
    "WHITE", "RED", "PINK", "BLUE", "GREEN", "IVORY", "CREAM", "BLACK", "SILVER", "GOLD", "PURPLE",
    "ORANGE", "YELLOW", "PASTEL", "VINTAGE", "ANTIQUE", "FRENCH BLUE", "CHOCOLATE", "NATURAL", "GREY",
)  # fmt: skip
MOTIFS = (
    "HANGING HEART", "RETROSPOT", "POLKADOT", "UNION JACK", "PAISLEY", "DOLLY GIRL", "SPACEBOY",
    "WOODLAND", "STRAWBERRY", "REGENCY", "BIRD", "FLORAL", "SKULL", "CHRISTMAS", "ROSE", "BUTTERFLY",
    "GINGHAM", "LOVE", "STAR", "ALPHABET", "DAISY", "JAM MAKING", "PARTY", "VINTAGE LEAF", "CHERRY",
    "SCANDINAVIAN", "BAROQUE", "DOILY", "ENGLISH ROSE", "PANTRY",
)  # fmt: skip
ITEMS = (
    "T-LIGHT HOLDER", "METAL LANTERN", "COAT HANGER", "HOT WATER BOTTLE", "MUG", "LUNCH BAG",
    "JUMBO BAG", "CAKE CASES", "PAPER NAPKINS", "CAKE STAND", "TEA SET", "METAL DOOR SIGN",
    "PHOTO FRAME", "NOTEBOOK", "WALL CLOCK", "CUSHION COVER", "BAKING SET", "PICNIC BASKET", "DOORSTOP",
    "RECIPE BOX", "KITCHEN SCALES", "MIRROR", "CANDLE", "GIFT WRAP", "GIFT BAG", "CHARLOTTE BAG",
    "SHOPPING BAG", "WATER BOTTLE", "SPONGE", "TRINKET BOX", "JEWELLERY BOX", "KEY RING", "PENCIL CASE",
    "LUNCH BOX", "BUNTING", "GARLAND", "DECORATION", "ORNAMENT", "SNOW GLOBE", "PLACEMAT", "TEA TOWEL",
    "APRON", "OVEN GLOVE", "SPOON", "STORAGE TIN", "BISCUIT TIN", "WICKER HEART", "CHALKBOARD",
    "WASHBAG", "PURSE", "PARASOL", "WINDMILL", "BIRD FEEDER", "PLANT POT", "JIGSAW", "PLAYING CARDS",
    "STICKERS", "WRAPPING PAPER", "CAKE TINS", "PAPER CHAIN KIT",
)  # fmt: skip
PREFIXES = ("SET OF 3", "SET OF 4", "SET OF 6", "SET/10", "SMALL", "LARGE", "MINI", "JUMBO")
SPELLING_VARIANTS = (
    (" OF ", "/"), ("T-LIGHT", "TLIGHT"), ("GREY", "GRAY"), ("POLKADOT", "POLKA DOT"),
    ("RETROSPOT", "RETRO SPOT"), ("JEWELLERY", "JEWELRY"), ("COLOUR", "COLOR"), ("DOORSTOP", "DOOR STOP"),
)  # fmt: skip

# --------------------------------------------------------------------------------------------
# Export layouts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    columns: tuple[str, ...]
    kaggle_dates: bool  # 12/1/2010 8:26 instead of 2010-12-01 08:26:00
    customer_as_float: bool  # 17850.0 instead of 17850
    encoding: str


_UCI_COLUMNS = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country")
_II_COLUMNS = ("Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID", "Country")
_LAYOUTS = {
    "uci": _Layout(_UCI_COLUMNS, kaggle_dates=False, customer_as_float=False, encoding="utf-8"),
    "kaggle": _Layout(_UCI_COLUMNS, kaggle_dates=True, customer_as_float=True, encoding="iso-8859-1"),
    "ii": _Layout(_II_COLUMNS, kaggle_dates=False, customer_as_float=True, encoding="utf-8"),
}
EXPORT_FORMATS = tuple(_LAYOUTS)

# Invoice kinds in the plan.
CUSTOMER_SALE, GUEST_SALE, CANCEL, WRITE_OFF, ZERO_SINGLE, ADJUST = range(6)
_PREFIX = np.array(["", "", "C", "", "", "A"], dtype=object)

# Streams of the line-level hash (any distinct constants).
(
    S_DUP, S_PRODUCT, S_QTY, S_QTY_TAIL, S_VARIANT, S_ZERO, S_ZERO_DESC, S_MISC, S_MISC_KIND, S_PRICE_A,
    S_PRICE_B, S_CANCEL_START, S_PARTIAL, S_PARTIAL_SIZE, S_FEE, S_FEE_KIND, S_NOTE, S_POST_QTY,
    S_QTY_TAIL_B,
) = range(1, 20)  # fmt: skip
S_PRODUCT_REDRAW = 100  # + attempt number
PRODUCT_REDRAWS = 10
_PACK_VALUES = np.sort(PACK_QUANTITIES)
_PACK_CDF = np.cumsum(PACK_SHARE[np.argsort(PACK_QUANTITIES)])
_POST_QUANTITIES = np.array([1, 1, 1, 2, 2, 3, 4, 5, 6])  # measured: POST quantity median 2, p90 5


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def generate(rows: int, seed: int, out: Path, export_format: str = "uci", chunk_rows: int = 200_000) -> int:
    """Write `rows` raw rows to `out` and return the number written (== rows).

    The file is a CSV in the layout of ``export_format`` ("uci", "kaggle" or "ii"), gzip-compressed
    when ``out`` ends with ``.gz``. The same arguments always give byte-identical files, whatever
    ``chunk_rows`` (which only bounds how many rows are held in memory at a time).
    """
    _check_arguments(rows, seed, export_format, chunk_rows)
    layout = _LAYOUTS[export_format]
    out = Path(out)
    plan = _make_plan(rows, seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    # write beside `out`, then rename: a failure never leaves a half-written file behind
    tmp = out.with_name(f".{out.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as raw:
            written = _write_csv(plan, raw, layout, chunk_rows, gzipped=out.name.endswith(".gz"))
        if written != rows:  # pragma: no cover - the plan's sizes sum to `rows` by construction
            raise RuntimeError(f"wrote {written} rows instead of {rows}")
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return written


def _check_arguments(rows: object, seed: object, export_format: object, chunk_rows: object) -> None:
    if not _is_int(rows) or rows < 1:
        raise ValueError(f"rows must be an integer >= 1; got {rows!r}")
    if not _is_int(seed) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0; got {seed!r}")
    if export_format not in _LAYOUTS:
        raise ValueError(f"export_format must be one of {', '.join(map(repr, EXPORT_FORMATS))}; got {export_format!r}")
    if not _is_int(chunk_rows) or chunk_rows < 1:
        raise ValueError(f"chunk_rows must be an integer >= 1; got {chunk_rows!r}")


def _is_int(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


# --------------------------------------------------------------------------------------------
# Line-level randomness: a counter-based hash, so any line can be recomputed on its own
# --------------------------------------------------------------------------------------------
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_K_INVOICE, _K_LINE, _K_STREAM = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9)


def _uniform(key: np.uint64, invoice: np.ndarray, line: np.ndarray, stream: int) -> np.ndarray:
    """Uniform [0, 1) floats, a pure function of (key, invoice, line, stream) (splitmix64 finaliser)."""
    x = invoice.astype(np.uint64) * _K_INVOICE
    x ^= line.astype(np.uint64) * _K_LINE
    x ^= key ^ np.uint64((stream * int(_K_STREAM)) & 0xFFFF_FFFF_FFFF_FFFF)
    x ^= x >> np.uint64(30)
    x *= _M1
    x ^= x >> np.uint64(27)
    x *= _M2
    x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def _normal(key: np.uint64, invoice: np.ndarray, line: np.ndarray, stream_a: int, stream_b: int) -> np.ndarray:
    """Standard normal draws (Box-Muller) from two hash streams."""
    u1 = 1.0 - _uniform(key, invoice, line, stream_a)  # (0, 1]
    u2 = _uniform(key, invoice, line, stream_b)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def _from_cdf(u: np.ndarray, table: tuple[tuple[float, ...], tuple[float, ...]]) -> np.ndarray:
    """Integer draws from an inverse-CDF table of (cumulative share, value) points."""
    return np.maximum(np.ceil(np.interp(u, table[0], table[1])), 1).astype(np.int64)


def _pick(u: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Index drawn with the given weights for each uniform in u."""
    cdf = np.cumsum(weights, dtype=np.float64)
    return np.minimum(np.searchsorted(cdf / cdf[-1], u, side="right"), len(weights) - 1)


def _lognormal_int(z: np.ndarray, median: float, sigma: float, cap: int) -> np.ndarray:
    return np.clip(np.rint(median * np.exp(sigma * z)), 1, cap).astype(np.int64)


# --------------------------------------------------------------------------------------------
# The plan: catalogue, customers and invoices (O(invoices) arrays from one Generator)
# --------------------------------------------------------------------------------------------


@dataclass
class _Catalog:
    codes: np.ndarray  # object: products first, then SPECIAL_CODES
    descriptions: np.ndarray  # object: canonical[p], variant[p], specials, notes, None (last = missing)
    price: np.ndarray  # list price of each product
    price_rank: np.ndarray  # 0 = cheapest product, 1 = dearest
    typical_price_rank: float  # mean price rank over sold lines (popular products are cheaper)
    has_variant: np.ndarray  # bool per product
    note_products: np.ndarray  # products whose write-offs and stock checks carry typed notes
    popularity_cdf: np.ndarray  # over popularity ranks
    product_by_rank: np.ndarray
    n_products: int

    def special(self, code: str) -> int:
        return self.n_products + _SPECIAL_INDEX[code]

    def special_description(self, item: np.ndarray) -> np.ndarray:
        return item + self.n_products  # descriptions: 2 * n_products + special index

    def note(self, k: np.ndarray) -> np.ndarray:
        return 2 * self.n_products + len(SPECIAL_CODES) + k


_NOTES = (*WRITE_OFF_NOTES, *ZERO_NOTES)
_WRITE_OFF_NOTE_WEIGHTS = np.array([*WRITE_OFF_NOTES.values(), *[0] * len(ZERO_NOTES)], dtype=float)
_ZERO_NOTE_WEIGHTS = np.array([*[0] * len(WRITE_OFF_NOTES), *ZERO_NOTES.values()], dtype=float)
MISSING_DESCRIPTION = -1  # the description table ends with None


@dataclass
class _Plan:
    key: np.uint64
    catalog: _Catalog
    kind: np.ndarray  # int8 per invoice, in time order
    size: np.ndarray  # lines per invoice
    start: np.ndarray  # first row of each invoice
    number: np.ndarray  # invoice number without prefix
    minute: np.ndarray  # datetime64[m]
    customer: np.ndarray  # 0 = no customer
    country: np.ndarray  # index into COUNTRIES
    ref: np.ndarray  # cancellations: the earlier sale invoice they cancel; else -1
    last_item: np.ndarray  # POST/DOT item closing a sale invoice; else -1
    stock_item: np.ndarray  # product of a write-off or one-line zero-price invoice; else -1


def _make_plan(rows: int, seed: int) -> _Plan:
    rng = np.random.default_rng(seed)
    key = np.uint64(np.random.SeedSequence(seed).generate_state(1, np.uint64)[0])
    catalog = _make_catalog(rows, rng)
    kind, size = _invoice_kinds_and_sizes(rows, rng)
    customer, country = _assign_customers(rows, kind, rng)
    ref = _cancel_references(kind, size, rng)  # may move lines between cancellations
    is_cancel = ref >= 0
    customer[is_cancel] = customer[ref[is_cancel]]
    country[is_cancel] = country[ref[is_cancel]]
    minute = _invoice_times(size, rng)
    number = _invoice_numbers(len(kind), rng)
    last_item = _postage_lines(rows, kind, size, country, catalog, rng)
    stock_item = _stock_products(kind, key, catalog, rng)
    start = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64)
    return _Plan(key, catalog, kind, size, start, number, minute, customer, country, ref, last_item, stock_item)


def _scaled(rows: int, real_count: float) -> int:
    return round(rows * real_count / REAL_ROWS)


def _make_catalog(rows: int, rng: np.random.Generator) -> _Catalog:
    n = min(MAX_PRODUCTS, max(MIN_PRODUCTS, rows // ROWS_PER_PRODUCT))
    codes = _product_codes(n, rng)
    spaces = rng.random(n)
    canonical = [
        f" {d}" if s < LEADING_SPACE_SHARE else f"{d} " if s < LEADING_SPACE_SHARE + TRAILING_SPACE_SHARE else d
        for d, s in zip(_product_descriptions(n, rng), spaces)
    ]
    price = np.round(np.interp(rng.random(n), *PRICE_CDF), 2)
    rank_weight = np.exp(np.interp((np.arange(n) + 1) / n, POPULARITY_RANK, np.log(POPULARITY_ROWS)))
    price_rank = (np.argsort(np.argsort(price, kind="stable"), kind="stable") + 0.5) / n
    product_by_rank = _popularity_order(price_rank, rng)
    # products with a second description are picked by popularity, so that they show it in a file
    popularity = np.empty(n)
    popularity[product_by_rank] = rank_weight / rank_weight.sum()
    has_variant = np.zeros(n, dtype=bool)
    has_variant[rng.choice(n, size=round(n * VARIANT_PRODUCT_SHARE), replace=False, p=popularity)] = True
    variant = [_variant_of(d, rng) if v else d for d, v in zip(canonical, has_variant)]
    note_products = rng.choice(n, size=max(1, round(n * NOTE_PRODUCT_SHARE)), replace=False, p=popularity)
    descriptions = np.array(
        [*canonical, *variant, *(s[1] for s in SPECIAL_CODES), *_NOTES, None], dtype=object
    )
    return _Catalog(
        codes=np.array([*codes, *(s[0] for s in SPECIAL_CODES)], dtype=object),
        descriptions=descriptions,
        price=price,
        price_rank=price_rank,
        typical_price_rank=float(np.average(price_rank[product_by_rank], weights=rank_weight)),
        has_variant=has_variant,
        note_products=note_products,
        popularity_cdf=np.cumsum(rank_weight) / rank_weight.sum(),
        product_by_rank=product_by_rank,
        n_products=n,
    )


def _popularity_order(price_rank: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Products from most to least popular; cheaper products tend to sell more often."""
    return np.argsort(price_rank + rng.normal(0.0, POPULARITY_PRICE_NOISE, len(price_rank)), kind="stable")


def _product_codes(n: int, rng: np.random.Generator) -> list[str]:
    """5-digit codes, about a quarter in families with a letter suffix (85099B, 85099C, ...)."""
    n_letter = round(n * LETTER_CODE_SHARE)
    family_sizes = rng.integers(2, 5, size=n_letter)  # 2..4 variants per family
    family_sizes = family_sizes[np.cumsum(family_sizes) <= n_letter]
    if family_sizes.sum() < n_letter:
        family_sizes = np.append(family_sizes, n_letter - family_sizes.sum())
    n_plain = n - n_letter
    numbers = np.arange(10_000, 100_000)
    weight = _weight_of_first_digit(numbers)
    bases = rng.choice(numbers, size=n_plain + len(family_sizes), replace=False, p=weight / weight.sum())
    codes = [str(b) for b in bases[:n_plain]]
    for base, k in zip(bases[n_plain:], family_sizes):
        letters = "ABCDEFGHIJKL" if rng.random() >= 0.1 else "abcdefghijkl"
        codes.extend(f"{base}{letters[j]}" for j in range(k))
    return codes


def _weight_of_first_digit(numbers: np.ndarray) -> np.ndarray:
    """Weight of each 5-digit number so that first digits follow the real codes (2xxxx most)."""
    lookup = np.array([CODE_FIRST_DIGIT.get(str(d), 0) for d in range(10)], dtype=float)
    return lookup[numbers // 10_000] / np.bincount(numbers // 10_000, minlength=10)[numbers // 10_000]


def _product_descriptions(n: int, rng: np.random.Generator) -> list[str]:
    """Unique upper-case descriptions such as "SET OF 3 RED RETROSPOT CAKE CASES"."""
    seen: dict[str, int] = {}
    out = []
    for _ in range(n):
        words = []
        if rng.random() < 0.2:
            words.append(PREFIXES[rng.integers(len(PREFIXES))])
        if rng.random() < 0.5:
            words.append(COLOURS[rng.integers(len(COLOURS))])
        if rng.random() < 0.7:
            words.append(MOTIFS[rng.integers(len(MOTIFS))])
        words.append(ITEMS[rng.integers(len(ITEMS))])
        text = " ".join(words)
        count = seen.get(text, 0)
        seen[text] = count + 1
        out.append(text if count == 0 else f"{text} {count}")  # like "FRENCH BLUE METAL DOOR SIGN 3"
    return out


def _variant_of(text: str, rng: np.random.Generator) -> str:
    """A second description for the same code: a trailing-space or spelling variant."""
    if rng.random() < 0.5:
        return text.rstrip() if text.endswith(" ") else f"{text} "
    for i in rng.permutation(len(SPELLING_VARIANTS)):
        old, new = SPELLING_VARIANTS[i]
        if old in text:
            return text.replace(old, new, 1)
    longest = max(text.split(), key=len)  # a typo: drop one letter of the longest word
    j = int(rng.integers(1, len(longest))) if len(longest) > 1 else 0
    return text.replace(longest, longest[:j] + longest[j + 1 :], 1) if len(longest) > 2 else f"{text} "


def _invoice_kinds_and_sizes(rows: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Invoice kinds in random order and their line counts, summing exactly to `rows`.

    Row totals per kind are fixed from the real shares (so the rates hold at any size); invoice
    counts follow from the real mean lines per invoice, and the sizes are drawn and then nudged
    to the exact totals.
    """
    totals = {
        GUEST_SALE: _scaled(rows, REAL_GUEST_SALE_ROWS),
        CANCEL: _scaled(rows, REAL_CANCEL_ROWS),
        WRITE_OFF: _scaled(rows, REAL_WRITE_OFF_ROWS),
        ZERO_SINGLE: _scaled(rows, REAL_ZERO_SINGLE_ROWS),
        ADJUST: _scaled(rows, REAL_ADJUST_ROWS),
    }
    totals[CUSTOMER_SALE] = rows - sum(totals.values())
    while totals[CUSTOMER_SALE] < 1:  # only possible for a handful of rows
        biggest = max((k for k in totals if k != CUSTOMER_SALE), key=totals.get)
        totals[biggest] -= 1
        totals[CUSTOMER_SALE] += 1
    mean_lines = {
        CUSTOMER_SALE: REAL_CUSTOMER_INVOICE_LINES,
        GUEST_SALE: REAL_GUEST_INVOICE_LINES,
        CANCEL: REAL_CANCEL_ROWS / REAL_CANCEL_INVOICES,
    }
    tables = {
        CUSTOMER_SALE: CUSTOMER_INVOICE_LINES_CDF,
        GUEST_SALE: GUEST_INVOICE_LINES_CDF,
        CANCEL: CANCEL_INVOICE_LINES_CDF,
    }
    kinds, sizes = [], []
    for k in (CUSTOMER_SALE, GUEST_SALE, CANCEL, WRITE_OFF, ZERO_SINGLE, ADJUST):
        total = totals[k]
        if total == 0:
            continue
        if k in tables:
            n = min(total, max(1, round(total / mean_lines[k])))
            s = _fit_total(_from_cdf(rng.random(n), tables[k]), total, rng)
        else:
            s = np.ones(total, dtype=np.int64)  # one-line invoices
        kinds.append(np.full(len(s), k, dtype=np.int8))
        sizes.append(s)
    kind, size = np.concatenate(kinds), np.concatenate(sizes)
    order = rng.permutation(len(kind))
    kind, size = kind[order], size[order]
    # the first invoice is a customer sale (cancellations need an earlier sale), and the
    # bad-debt adjustments are consecutive, like A563185..A563187
    first = int(np.argmax(kind == CUSTOMER_SALE))
    _swap(kind, size, 0, first)
    adjust = np.flatnonzero(kind == ADJUST)
    for offset, position in enumerate(adjust):
        _swap(kind, size, position, adjust[0] + offset)
    return kind, size


def _swap(kind: np.ndarray, size: np.ndarray, i: int, j: int) -> None:
    kind[[i, j]] = kind[[j, i]]
    size[[i, j]] = size[[j, i]]


def _fit_total(sizes: np.ndarray, total: int, rng: np.random.Generator) -> np.ndarray:
    """Scale line counts (each >= 1) so they sum exactly to `total` (needs len(sizes) <= total)."""
    sizes = np.maximum(1, np.rint(sizes * (total / sizes.sum()))).astype(np.int64)
    while (gap := total - int(sizes.sum())) != 0:
        if gap > 0:
            np.add.at(sizes, rng.integers(0, len(sizes), size=gap), 1)
        else:
            shrinkable = np.flatnonzero(sizes > 1)
            chosen = rng.choice(shrinkable, size=min(-gap, len(shrinkable)), replace=False)
            sizes[chosen] -= 1
    return sizes


def _invoice_times(size: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Sorted invoice times on trading days; the rows per month follow the real rows per month.

    Invoices are already in time order, so each goes to the month in which its rows fall when
    the months are laid end to end with their real shares of rows.
    """
    share = np.array(list(MONTH_ROWS.values()), dtype=float)
    middle = (np.cumsum(size) - size / 2) / size.sum()
    month_of_invoice = np.minimum(np.searchsorted(np.cumsum(share) / share.sum(), middle), len(share) - 1)
    per_month = np.bincount(month_of_invoice, minlength=len(share))
    days = np.arange(PERIOD_START.astype("datetime64[D]"), PERIOD_END.astype("datetime64[D]") + 1)
    days = days[~np.isin(days, np.array(CLOSED_DAYS, dtype="datetime64[D]"))]
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    day_weight = WEEKDAY_SHARE[weekday]
    day_month = days.astype("datetime64[M]")
    picked = []
    for month, count in zip(np.array(list(MONTH_ROWS), dtype="datetime64[M]"), per_month):
        in_month = day_month == month
        w = day_weight[in_month]
        picked.append(rng.choice(days[in_month], size=count, p=w / w.sum()))
    day = np.concatenate(picked).astype("datetime64[m]")
    n = len(size)
    hour = rng.choice(HOURS, size=n, p=HOUR_SHARE / HOUR_SHARE.sum())
    minute = day + (hour * 60 + rng.integers(0, 60, size=n)).astype("timedelta64[m]")
    return np.sort(np.clip(minute, PERIOD_START, PERIOD_END))


def _largest_remainder(n: int, weights: np.ndarray) -> np.ndarray:
    exact = n * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    counts[np.argsort(-(exact - counts), kind="stable")[: n - counts.sum()]] += 1
    return counts


def _invoice_numbers(n: int, rng: np.random.Generator) -> np.ndarray:
    """Ascending 6-digit numbers from 536365 with the real gaps, as long as 6 digits suffice.

    Beyond about 460,000 invoices (9.7 million rows) the numbers run on into 7 digits.
    """
    room = (LAST_6_DIGIT_INVOICE - FIRST_INVOICE) / max(n - 1, 1)
    gap_share = float(np.clip(min(REAL_INVOICE_NUMBER_STEP, room) - 1.0, 0.0, 1.0))
    step = 1 + (rng.random(n) < gap_share)
    step[0] = 0
    return FIRST_INVOICE + np.cumsum(step)


def _assign_customers(rows: int, kind: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Customer id and country per invoice (customer sales and guests; cancellations come later)."""
    n_customers = min(MAX_CUSTOMERS, max(20, _scaled(rows, REAL_CUSTOMERS)))
    span = min(MAX_CUSTOMERS, round(n_customers * REAL_CUSTOMER_ID_STEP))
    ids = FIRST_CUSTOMER_ID + np.concatenate([[0], np.sort(rng.choice(np.arange(1, span), n_customers - 1, replace=False))])
    home = rng.permutation(_country_quota(n_customers))

    sales = np.flatnonzero(kind == CUSTOMER_SALE)
    activity = rng.lognormal(0.0, CUSTOMER_ACTIVITY_SIGMA, size=n_customers)
    if len(sales) >= n_customers:  # everybody buys at least once; whales buy a lot
        counts = 1 + rng.multinomial(len(sales) - n_customers, activity / activity.sum())
    else:
        counts = np.zeros(n_customers, dtype=np.int64)
        counts[rng.choice(n_customers, size=len(sales), replace=False)] = 1
    who = rng.permutation(np.repeat(np.arange(n_customers), counts))

    customer = np.zeros(len(kind), dtype=np.int64)
    country = np.full(len(kind), UK, dtype=np.int16)
    customer[sales] = ids[who]
    country[sales] = home[who]
    _second_countries(sales, who, counts, home, country, rng)

    guests = np.flatnonzero(kind == GUEST_SALE)
    guest_weight = np.array(list(GUEST_COUNTRIES.values()), dtype=float)
    guest_country = np.array([COUNTRIES.index(c) for c in GUEST_COUNTRIES], dtype=np.int16)
    country[guests] = guest_country[_pick(rng.random(len(guests)), guest_weight)]
    return customer, country


def _country_quota(n_customers: int) -> np.ndarray:
    """Home country per customer in the real proportions; every country present once there is room."""
    names = list(CUSTOMER_COUNTRIES)
    share = np.array(list(CUSTOMER_COUNTRIES.values()), dtype=float)
    counts = _largest_remainder(n_customers, share)
    if n_customers >= 10 * len(names):
        counts = np.maximum(counts, 1)
        counts[names.index("United Kingdom")] -= counts.sum() - n_customers
    index = np.array([COUNTRIES.index(c) for c in names], dtype=np.int16)
    return np.repeat(index, counts)


def _second_countries(
    sales: np.ndarray,
    who: np.ndarray,
    counts: np.ndarray,
    home: np.ndarray,
    country: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """A few customers (8 of 4,372 in the real file) also buy under a second country."""
    candidates = np.flatnonzero(counts >= 2)
    n_multi = min(len(candidates), round(len(counts) * REAL_MULTI_COUNTRY_CUSTOMERS / REAL_CUSTOMERS))
    if n_multi == 0:
        return
    names = list(CUSTOMER_COUNTRIES)
    weight = np.array(list(CUSTOMER_COUNTRIES.values()), dtype=float)
    index = np.array([COUNTRIES.index(c) for c in names], dtype=np.int16)
    for c in rng.choice(candidates, size=n_multi, replace=False):
        w = np.where(index == home[c], 0.0, weight)
        other = index[_pick(rng.random(1), w)[0]]
        invoices = sales[who == c]
        moved = rng.permutation(len(invoices))[: int(rng.integers(1, len(invoices)))]
        country[invoices[moved]] = other


def _cancel_references(kind: np.ndarray, size: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each cancellation, an earlier sale invoice with at least as many lines.

    The cancellation takes that invoice's customer and country and returns some of its lines.
    Candidates are mostly recent invoices (a few from any time before); about 4 % are guest
    invoices, as in the real file. A cancellation longer than the invoice it found is shortened,
    and the lines it loses go to other cancellations (`size` is updated; the total is unchanged).
    """
    ref = np.full(len(kind), -1, dtype=np.int64)
    cancels = np.flatnonzero(kind == CANCEL)
    if len(cancels) == 0:
        return ref
    by_customer = np.flatnonzero(kind == CUSTOMER_SALE)
    by_guest = np.flatnonzero(kind == GUEST_SALE)
    want_guest = rng.random(len(cancels)) < GUEST_CANCEL_SHARE
    use_guest = want_guest & (np.searchsorted(by_guest, cancels) > 0)
    for pool, mask in ((by_customer, ~use_guest), (by_guest, use_guest)):
        chosen = cancels[mask]
        if len(chosen) == 0:
            continue
        earlier = np.searchsorted(pool, chosen)[:, None]  # >= 1: the first invoice is a customer sale
        recent = rng.exponential(max(1.0, CANCEL_RECENCY * len(pool)), size=(len(chosen), CANCEL_CANDIDATES))
        anytime = rng.random((len(chosen), CANCEL_CANDIDATES)) * earlier
        back = np.minimum(np.concatenate([recent, anytime], axis=1).astype(np.int64), earlier - 1)
        candidates = pool[earlier - 1 - back]
        fits = size[candidates] >= size[chosen][:, None]
        best = np.where(fits.any(axis=1), fits.argmax(axis=1), size[candidates].argmax(axis=1))
        ref[chosen] = candidates[np.arange(len(chosen)), best]
    _fit_cancels_to_references(cancels, size, size[ref[cancels]], rng)
    return ref


def _fit_cancels_to_references(cancels: np.ndarray, size: np.ndarray, room: np.ndarray, rng: np.random.Generator) -> None:
    """Shorten cancellations to their invoice's length and give the excess lines to others."""
    lines = size[cancels]
    excess = int(np.maximum(lines - room, 0).sum())
    lines = np.minimum(lines, room)
    while excess > 0:
        open_ = np.flatnonzero(lines < room)
        if len(open_) == 0:  # no room anywhere (tiny files): keep the total, allow repeated lines
            lines[0] += excess
            break
        take = rng.choice(open_, size=min(excess, len(open_)), replace=False)
        lines[take] += 1
        excess -= len(take)
    size[cancels] = lines


def _postage_lines(
    rows: int, kind: np.ndarray, size: np.ndarray, country: np.ndarray, catalog: _Catalog, rng: np.random.Generator
) -> np.ndarray:
    """POST closes many non-UK customer invoices, DOT many UK guest (dotcom) invoices."""
    last_item = np.full(len(kind), -1, dtype=np.int32)
    multi_line = size >= 2
    rules = (
        ("POST", REAL_POST_INVOICES, (kind == CUSTOMER_SALE) & multi_line, country != UK),
        ("DOT", REAL_DOT_INVOICES, (kind == GUEST_SALE) & multi_line, country == UK),
    )
    for code, real_count, eligible, preferred in rules:
        wanted = _scaled(rows, real_count)
        first = rng.permutation(np.flatnonzero(eligible & preferred))
        then = rng.permutation(np.flatnonzero(eligible & ~preferred))
        last_item[np.concatenate([first, then])[:wanted]] = catalog.special(code)
    return last_item


def _stock_products(kind: np.ndarray, key: np.uint64, catalog: _Catalog, rng: np.random.Generator) -> np.ndarray:
    """Products of the one-line stock invoices (write-offs, zero-price bookings).

    Those with a typed note go round the catalogue's note products, so that about as many codes
    carry a note at any file size; the others are drawn by popularity.
    """
    item = np.full(len(kind), -1, dtype=np.int64)
    single = np.flatnonzero((kind == WRITE_OFF) | (kind == ZERO_SINGLE))
    noted = _has_note(key, single, kind[single])
    cycle = rng.permutation(catalog.note_products)
    item[single[noted]] = cycle[np.arange(noted.sum()) % len(cycle)]
    plain = single[~noted]
    rank = np.searchsorted(catalog.popularity_cdf, rng.random(len(plain)), side="right")
    item[plain] = catalog.product_by_rank[np.minimum(rank, catalog.n_products - 1)]
    return item


def _has_note(key: np.uint64, inv: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """Whether a one-line stock invoice's Description is a typed note (else missing or the product's)."""
    u = _uniform(key, inv, np.zeros_like(inv), S_ZERO_DESC)
    described = (u - ZERO_MISSING_DESCRIPTION) / (1.0 - ZERO_MISSING_DESCRIPTION)
    zero_note = (u >= ZERO_MISSING_DESCRIPTION) & (described < ZERO_NOTE_SHARE)
    return np.where(kind == WRITE_OFF, u >= WRITE_OFF_MISSING_DESCRIPTION, zero_note)


# --------------------------------------------------------------------------------------------
# Lines: pure functions of the plan and (invoice, line)
# --------------------------------------------------------------------------------------------


@dataclass
class _Lines:
    item: np.ndarray  # index into the catalogue's codes
    qty: np.ndarray
    price: np.ndarray
    desc: np.ndarray  # index into the catalogue's descriptions

    def take(self, index: np.ndarray) -> _Lines:
        return _Lines(self.item[index], self.qty[index], self.price[index], self.desc[index])


def _special_lines(plan: _Plan, item: np.ndarray, inv: np.ndarray, line: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Quantity (positive) and price of non-product lines, from SPECIAL_CODES' price models."""
    s = item - plan.catalog.n_products
    median = np.array([c[2] for c in SPECIAL_CODES])[s]
    sigma = np.array([c[3] for c in SPECIAL_CODES])[s]
    decimals = np.array([c[4] for c in SPECIAL_CODES])[s]
    z = _normal(plan.key, inv, line, S_PRICE_A, S_PRICE_B)
    scale = 10.0**decimals
    price = np.maximum(np.rint(median * np.exp(sigma * z) * scale) / scale, 1.0 / scale)
    post_qty = _POST_QUANTITIES[(_uniform(plan.key, inv, line, S_POST_QTY) * len(_POST_QUANTITIES)).astype(np.int64)]
    qty = np.where(item == plan.catalog.special("POST"), post_qty, 1)
    return qty.astype(np.int64), price


def _draw_products(plan: _Plan, inv: np.ndarray, line: np.ndarray, stream: int) -> np.ndarray:
    """Products drawn by (Zipf-like) popularity."""
    cat = plan.catalog
    rank = np.searchsorted(cat.popularity_cdf, _uniform(plan.key, inv, line, stream), side="right")
    return cat.product_by_rank[np.minimum(rank, cat.n_products - 1)].astype(np.int64)


def _redraw_repeats(plan: _Plan, inv: np.ndarray, line: np.ndarray, item: np.ndarray) -> np.ndarray:
    """Redraw a product drawn twice in one invoice (a few tries).

    Without this, popular products picked twice would add accidental exact duplicates on top of
    the deliberate ones. `inv`/`line` must list complete invoices, line by line, so the outcome is
    a function of the invoice alone.
    """
    rows = np.arange(len(item))
    for attempt in range(1, PRODUCT_REDRAWS + 1):
        key = (inv[rows].astype(np.int64) << 20) | item[rows]  # fewer than 2**20 products
        _, first = np.unique(key, return_index=True)
        repeat = np.ones(len(rows), dtype=bool)
        repeat[first] = False
        if not repeat.any():
            break
        redo = rows[repeat]
        item[redo] = _draw_products(plan, inv[redo], line[redo], S_PRODUCT_REDRAW + attempt)
        rows = rows[np.isin(inv[rows], inv[redo])]  # whole invoices that had a repeat
    return item


def _quantities(plan: _Plan, inv: np.ndarray, line: np.ndarray, price_rank: np.ndarray) -> np.ndarray:
    """Pack-size quantities with a heavy tail; cheaper products come in bigger quantities."""
    tilt = QUANTITY_PRICE_SLOPE * (price_rank - plan.catalog.typical_price_rank)
    u = _uniform(plan.key, inv, line, S_QTY)
    top = _PACK_CDF[-1]
    v = np.minimum(u, top) / top  # quantile within the pack sizes, shifted on the logit scale
    v = 1.0 / (1.0 + (1.0 - v) / np.maximum(v, 1e-12) * np.exp(tilt))
    pack = _PACK_VALUES[np.minimum(np.searchsorted(_PACK_CDF, top * v, side="right"), len(_PACK_VALUES) - 1)]
    z = _normal(plan.key, inv, line, S_QTY_TAIL, S_QTY_TAIL_B)
    tail = _lognormal_int(z - tilt / QUANTITY_TAIL_SIGMA, QUANTITY_TAIL_MEDIAN, QUANTITY_TAIL_SIGMA, QUANTITY_MAX)
    return np.where(u < top, pack, np.maximum(tail, QUANTITY_TAIL_MIN)).astype(np.int64)


def _product_lines(plan: _Plan, inv: np.ndarray, line: np.ndarray, item: np.ndarray) -> _Lines:
    """Lines of the given products: a pack-size quantity, the list price and a (maybe variant) description."""
    cat = plan.catalog
    key = plan.key
    qty = _quantities(plan, inv, line, cat.price_rank[item])
    variant = cat.has_variant[item] & (_uniform(key, inv, line, S_VARIANT) < VARIANT_LINE_SHARE)
    desc = item + variant * cat.n_products
    return _Lines(item, qty, cat.price[item], desc)


def _sale_lines(plan: _Plan, inv: np.ndarray, pos: np.ndarray) -> _Lines:
    """Lines of customer and guest sale invoices, with duplicates, postage, fees and zero prices.

    `inv`/`pos` must list complete invoices, line by line.
    """
    key = plan.key
    kind = plan.kind[inv]
    item = _redraw_repeats(plan, inv, pos, _draw_products(plan, inv, pos, S_PRODUCT))
    lines = _product_lines(plan, inv, pos, item)

    zero_share = np.where(
        kind == GUEST_SALE,
        REAL_ZERO_GUEST_LINES / REAL_GUEST_SALE_ROWS,
        REAL_ZERO_CUSTOMER_LINES / (REAL_SALE_ROWS - REAL_GUEST_SALE_ROWS),
    )
    zero = _uniform(key, inv, pos, S_ZERO) < zero_share
    lines.price = np.where(zero, 0.0, lines.price)
    missing = _uniform(key, inv, pos, S_ZERO_DESC) < ZERO_MISSING_DESCRIPTION
    lines.desc = np.where(zero & missing, MISSING_DESCRIPTION, lines.desc)

    misc_weight = np.array(list(SALE_MISC_ROWS.values()), dtype=float)
    misc_codes = np.array([plan.catalog.special(c) for c in SALE_MISC_ROWS])
    misc = _uniform(key, inv, pos, S_MISC) < misc_weight.sum() / REAL_SALE_ROWS
    special_item = np.where(misc, misc_codes[_pick(_uniform(key, inv, pos, S_MISC_KIND), misc_weight)], -1)
    closing = plan.last_item[inv]
    is_closing = (pos == plan.size[inv] - 1) & (closing >= 0)
    special_item = np.where(is_closing, closing, special_item)
    _overwrite_special(plan, lines, special_item, inv, pos)

    def repeats(p: np.ndarray) -> np.ndarray:
        return (kind == CUSTOMER_SALE) & (p >= 1) & (_uniform(key, inv, p, S_DUP) < DUPLICATE_LINE_SHARE)

    duplicate = repeats(pos) & ~repeats(pos - 1) & ~is_closing
    return lines.take(np.arange(len(pos)) - duplicate)  # a duplicate copies the line before it


def _overwrite_special(plan: _Plan, lines: _Lines, special_item: np.ndarray, inv: np.ndarray, line: np.ndarray) -> None:
    mask = special_item >= 0
    if not mask.any():
        return
    item = special_item[mask]
    qty, price = _special_lines(plan, item, inv[mask], line[mask])
    lines.item[mask] = item
    lines.qty[mask] = qty
    lines.price[mask] = price
    lines.desc[mask] = plan.catalog.special_description(item)


def _cancel_lines(plan: _Plan, inv: np.ndarray, pos: np.ndarray) -> _Lines:
    """Negative copies of lines of the referenced earlier invoice, plus some fee/discount lines."""
    key = plan.key
    ref = plan.ref[inv]
    refs, which = np.unique(ref, return_inverse=True)  # recompute the cancelled invoices in full
    ref_sizes = plan.size[refs]
    ref_start = np.concatenate([[0], np.cumsum(ref_sizes)[:-1]])
    ref_pos = np.arange(ref_sizes.sum()) - np.repeat(ref_start, ref_sizes)
    cancelled = _sale_lines(plan, np.repeat(refs, ref_sizes), ref_pos)
    first = (_uniform(key, inv, np.zeros_like(pos), S_CANCEL_START) * plan.size[ref]).astype(np.int64)
    lines = cancelled.take(ref_start[which] + (first + pos) % plan.size[ref])

    partial = (_uniform(key, inv, pos, S_PARTIAL) < PARTIAL_CANCEL_SHARE) & (lines.qty > 1)
    part = 1 + (_uniform(key, inv, pos, S_PARTIAL_SIZE) * (lines.qty - 1)).astype(np.int64)
    lines.qty = np.where(partial, part, lines.qty)

    fee_weight = np.array(list(CANCEL_FEE_ROWS.values()), dtype=float)
    fee_codes = np.array([plan.catalog.special(c) for c in CANCEL_FEE_ROWS])
    fee = _uniform(key, inv, pos, S_FEE) < fee_weight.sum() / REAL_CANCEL_ROWS
    fee_item = np.where(fee, fee_codes[_pick(_uniform(key, inv, pos, S_FEE_KIND), fee_weight)], -1)
    _overwrite_special(plan, lines, fee_item, inv, pos)
    lines.qty = -np.where(fee, 1, lines.qty)
    return lines


def _stock_lines(plan: _Plan, inv: np.ndarray) -> _Lines:
    """One-line stock invoices without a customer, at price 0.

    Write-offs have a negative quantity and a note ("damaged", "?", ...) or no description;
    zero-price bookings a positive quantity and no description, a note ("found", ...) or the
    product's own description.
    """
    line = np.zeros_like(inv)
    kind = plan.kind[inv]
    lines = _product_lines(plan, inv, line, plan.stock_item[inv])
    write_off = kind == WRITE_OFF
    z = _normal(plan.key, inv, line, S_QTY_TAIL, S_QTY_TAIL_B)
    lines.qty = np.where(write_off, -_lognormal_int(z, *WRITE_OFF_QTY), _lognormal_int(z, *ZERO_SINGLE_QTY))
    lines.price = np.zeros(len(inv))
    u = _uniform(plan.key, inv, line, S_NOTE)
    note = plan.catalog.note(np.where(write_off, _pick(u, _WRITE_OFF_NOTE_WEIGHTS), _pick(u, _ZERO_NOTE_WEIGHTS)))
    missing = _uniform(plan.key, inv, line, S_ZERO_DESC) < np.where(
        write_off, WRITE_OFF_MISSING_DESCRIPTION, ZERO_MISSING_DESCRIPTION
    )
    noted = _has_note(plan.key, inv, kind)
    lines.desc = np.where(noted, note, np.where(missing, MISSING_DESCRIPTION, lines.desc))
    return lines


def _adjust_lines(plan: _Plan, inv: np.ndarray) -> _Lines:
    """Bad-debt adjustments: StockCode B, quantity 1, +11,062.06 first and -11,062.06 after."""
    first = int(np.argmax(plan.kind == ADJUST))
    item = np.full(len(inv), plan.catalog.special("B"), dtype=np.int64)
    price = np.where(inv == first, BAD_DEBT_PRICE, -BAD_DEBT_PRICE)
    return _Lines(item, np.ones(len(inv), dtype=np.int64), price, plan.catalog.special_description(item))


_LINE_MAKERS = {
    CUSTOMER_SALE: _sale_lines,
    GUEST_SALE: _sale_lines,
    CANCEL: _cancel_lines,
    WRITE_OFF: lambda plan, inv, pos: _stock_lines(plan, inv),
    ZERO_SINGLE: lambda plan, inv, pos: _stock_lines(plan, inv),
    ADJUST: lambda plan, inv, pos: _adjust_lines(plan, inv),
}


def _chunk_frame(plan: _Plan, a: int, b: int, layout: _Layout) -> pd.DataFrame:
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
    for k, make in _LINE_MAKERS.items():
        mask = kind == k
        if mask.any():
            lines = make(plan, inv[mask], pos[mask])
            item[mask], qty[mask], price[mask], desc[mask] = lines.item, lines.qty, lines.price, lines.desc

    local = inv - a
    invoice_no = _PREFIX[plan.kind[a:b]] + plan.number[a:b].astype(str).astype(object)
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
    return pd.DataFrame(dict(zip(layout.columns, columns)))


def _date_strings(minute: np.ndarray, kaggle: bool) -> np.ndarray:
    """'2010-12-01 08:26:00', or '12/1/2010 8:26' (M/D/YYYY H:MM, no zero padding) for Kaggle."""
    if not kaggle:
        text = np.datetime_as_string(minute, unit="s")
        return np.char.replace(text, "T", " ").astype(object)
    t = pd.DatetimeIndex(minute)
    return np.array(
        [f"{m}/{d}/{y} {h}:{mi:02d}" for m, d, y, h, mi in zip(t.month, t.day, t.year, t.hour, t.minute)], dtype=object
    )


def _write_csv(plan: _Plan, raw: io.BufferedIOBase, layout: _Layout, chunk_rows: int, gzipped: bool) -> int:
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
            frame = _chunk_frame(plan, a, b, layout)
            frame.to_csv(text, header=(a == 0), index=False, lineterminator="\n")
            written += len(frame)
            a = b
    return written
