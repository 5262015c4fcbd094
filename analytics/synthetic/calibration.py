"""The real file's figures the generator reproduces: counts, shares and distributions of UCI "Online Retail".

Every figure was measured on the complete UCI file (``data/raw/online_retail.csv.gz``,
541,909 rows; see data/README.md) or is quoted from the data set's documentation; the comment beside
each says which. A few are tuned instead (marked so), chosen so that a measured rate comes out.
"""

from __future__ import annotations

import numpy as np

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
REAL_GUEST_SALE_ROWS = REAL_MISSING_CUSTOMER_ROWS - REAL_GUEST_CANCEL_ROWS - REAL_WRITE_OFF_ROWS - REAL_ZERO_SINGLE_ROWS - REAL_ADJUST_ROWS  # 132,598
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
HOUR_SHARE = np.array([0.001, 0.001, 0.024, 0.070, 0.114, 0.122, 0.153, 0.130, 0.121, 0.118, 0.075, 0.047, 0.013, 0.008, 0.001])

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
POST_QUANTITIES = np.array([1, 1, 1, 2, 2, 3, 4, 5, 6])  # measured: POST quantity median 2, p90 5

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

# Co-purchase structure (tuned, not measured: the real file's affinities are not modelled one by one).
# AFFINITY_FAMILIES families of 2 or 3 products (like the real GREEN / PINK / ROSES REGENCY TEACUP AND
# SAUCER) are drawn among the AFFINITY_POOL most popular products; a sale line of a family product is
# followed, with probability AFFINITY_SHARE, by a line of another product of its family. Tuned so that
# generated files yield rules at the default mining thresholds (min support 0.02, min confidence 0.3),
# as the real file does (66 rules; its strongest lift 22.9).
AFFINITY_FAMILIES = 20
AFFINITY_POOL = 100
AFFINITY_SHARE = 0.6

# Exact duplicates: chance that a customer invoice line repeats the line before it, tuned so that
# df.duplicated() finds REAL_DUPLICATE_ROWS / REAL_ROWS = 0.97 % of rows (measured: 98 % of them
# in customer invoices; a few more arise in very large guest invoices).
DUPLICATE_LINE_SHARE = 0.0137


def scaled(rows: int, real_count: float) -> int:
    """A count measured on the real file, scaled to a file of `rows` rows."""
    return round(rows * real_count / REAL_ROWS)
