"""Generated exports have the real file's quirks at the real rates, and its periods, invoices, customers and products.

Real figures were measured on the complete UCI file bundled in data/raw (541,909 rows; see
data/README.md). The rates are checked on one 200,000-row file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analytics.synthetic import calibration, generate

REAL_ROWS = 541_909
RATE_ROWS = 200_000
RATE_SEED = 2011

NON_PRODUCT_CODES = {"POST", "DOT", "M", "m", "C2", "D", "S", "B", "BANK CHARGES", "AMAZONFEE", "CRUK", "PADS"}
CANCEL_FEE_CODES = {"M", "POST", "D", "S", "AMAZONFEE", "BANK CHARGES", "CRUK"}


# --------------------------------------------------------------------------------------------
# one 200k-row file shared by the rate tests
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    path = tmp_path_factory.mktemp("synthetic") / "online_retail.csv"
    assert generate(RATE_ROWS, RATE_SEED, path) == RATE_ROWS
    df = pd.read_csv(path, dtype=str)
    df["qty"] = df["Quantity"].astype(int)
    df["price"] = df["UnitPrice"].astype(float)
    df["is_cancel"] = df["InvoiceNo"].str.startswith("C")
    df["number"] = df["InvoiceNo"].str.lstrip("CA").astype(int)
    df["time"] = pd.to_datetime(df["InvoiceDate"], format="%Y-%m-%d %H:%M:%S")
    return df


def _raw(df: pd.DataFrame) -> pd.DataFrame:
    """The file's own eight columns (without the helper columns)."""
    return df.iloc[:, :8]


def _missing_customer(df: pd.DataFrame) -> float:
    return df["CustomerID"].isna().mean()


def _cancellations(df: pd.DataFrame) -> float:
    return df["is_cancel"].mean()


def _write_offs(df: pd.DataFrame) -> float:
    return (~df["is_cancel"] & (df["qty"] < 0)).mean()


def _zero_price_sales(df: pd.DataFrame) -> float:
    return ((df["price"] == 0) & (df["qty"] > 0)).mean()


def _duplicates(df: pd.DataFrame) -> float:
    return _raw(df).duplicated().sum() / len(df)


def _non_products(df: pd.DataFrame) -> float:
    return (df["StockCode"].isin(NON_PRODUCT_CODES) | df["StockCode"].str.startswith("gift_0001_")).mean()


def _multi_description_codes(df: pd.DataFrame) -> float:
    per_code = df.dropna(subset=["Description"]).groupby("StockCode")["Description"].nunique()
    return (per_code > 1).sum() / df["StockCode"].nunique()


def _rows_per_invoice(df: pd.DataFrame) -> float:
    return len(df) / df["InvoiceNo"].nunique()


def _customers_per_row(df: pd.DataFrame) -> float:
    return df["CustomerID"].nunique() / len(df)


def _missing_description(df: pd.DataFrame) -> float:
    return df["Description"].isna().mean()


# (measure, real value, allowed relative deviation); real values from DATA.md / the real file
RATES = {
    "missing CustomerID": (_missing_customer, 135_080 / REAL_ROWS, 0.03),
    "cancellation rows": (_cancellations, 9_288 / REAL_ROWS, 0.03),
    "stock write-off rows": (_write_offs, 1_336 / REAL_ROWS, 0.05),
    "zero price, positive quantity": (_zero_price_sales, 1_179 / REAL_ROWS, 0.10),
    "exact duplicate rows": (_duplicates, 5_268 / REAL_ROWS, 0.10),
    "non-product stock codes": (_non_products, 2_951 / REAL_ROWS, 0.10),
    "codes with > 1 description": (_multi_description_codes, 650 / 4_070, 0.10),
    "rows per invoice": (_rows_per_invoice, REAL_ROWS / 25_900, 0.03),
    "customers per row": (_customers_per_row, 4_372 / REAL_ROWS, 0.03),
    "missing Description": (_missing_description, 1_454 / REAL_ROWS, 0.15),
}


@pytest.mark.parametrize("name", list(RATES))
def test_quirk_rate_matches_real_file(sample: pd.DataFrame, name: str) -> None:
    measure, real, tolerance = RATES[name]
    got = measure(sample)
    assert got == pytest.approx(real, rel=tolerance), f"{name}: {got:.5f} vs real {real:.5f}"


def test_bad_debt_adjustments(sample: pd.DataFrame) -> None:
    adjust = sample[sample["InvoiceNo"].str.startswith("A")]
    assert len(adjust) == round(RATE_ROWS * 3 / REAL_ROWS) == 1
    row = adjust.iloc[0]
    assert (row["StockCode"], row["Description"], row["qty"], row["price"]) == ("B", "Adjust bad debt", 1, 11062.06)
    assert pd.isna(row["CustomerID"])


def test_bad_debt_signs_at_full_size(tmp_path: Path) -> None:
    path = tmp_path / "full.csv"
    generate(REAL_ROWS, 3, path)
    df = pd.read_csv(path, dtype=str, usecols=["InvoiceNo", "StockCode", "UnitPrice"])
    adjust = df[df["InvoiceNo"].str.startswith("A")]
    assert adjust["UnitPrice"].tolist() == ["11062.06", "-11062.06", "-11062.06"]
    assert (adjust["StockCode"] == "B").all()
    numbers = adjust["InvoiceNo"].str[1:].astype(int).tolist()
    assert numbers == sorted(numbers) and numbers[-1] - numbers[0] <= 4  # consecutive invoices
    assert df["StockCode"].nunique() > 3_900  # about 4,000 products at full size


def test_period_and_seasonality(sample: pd.DataFrame) -> None:
    t = sample["time"]
    assert t.min() >= pd.Timestamp("2010-12-01 08:00") and t.max() <= pd.Timestamp("2011-12-09 20:00")
    assert t.is_monotonic_increasing  # invoices in time order
    assert (t.dt.dayofweek != 5).all()  # the shop did not trade on Saturdays
    months = t.dt.strftime("%Y-%m").value_counts()
    assert months.idxmax() == "2011-11"
    assert months.index.min() == "2010-12" and months.index.max() == "2011-12"
    real = pd.Series(calibration.MONTH_ROWS, dtype=float)
    share = (months / len(sample)).reindex(real.index)
    assert (share / (real / REAL_ROWS)).between(0.95, 1.05).all(), share  # rows per month, within 5 %


def test_invoices_are_ascending_and_contiguous(sample: pd.DataFrame) -> None:
    assert sample["InvoiceNo"].iloc[0] == "536365"
    assert sample["InvoiceNo"].str.fullmatch(r"[CA]?\d{6}").all()
    assert sample["number"].is_monotonic_increasing
    runs = (sample["InvoiceNo"] != sample["InvoiceNo"].shift()).sum()
    assert runs == sample["InvoiceNo"].nunique()  # each invoice's lines are together
    per_invoice = sample.groupby("InvoiceNo", sort=False).agg(
        customers=("CustomerID", lambda s: s.nunique(dropna=False)), times=("InvoiceDate", "nunique")
    )
    assert (per_invoice["customers"] == 1).all() and (per_invoice["times"] == 1).all()


def test_invoice_sizes_are_skewed(sample: pd.DataFrame) -> None:
    sales = sample[~sample["is_cancel"]]
    size = sales.groupby("InvoiceNo").size()
    assert size.median() < size.mean()
    assert size.max() > 200
    guest = sales["CustomerID"].isna().groupby(sales["InvoiceNo"]).first()
    multi_line = size > 1
    assert size[guest & multi_line].mean() > 2 * size[~guest & multi_line].mean()  # guest orders are larger


def test_cancellations_return_earlier_lines_of_the_same_customer(sample: pd.DataFrame) -> None:
    cancels = sample[sample["is_cancel"]]
    assert (cancels["qty"] < 0).all()
    discounts = cancels[cancels["StockCode"] == "D"]
    assert len(discounts) > 0 and (discounts["qty"] == -1).all() and (discounts["Description"] == "Discount").all()

    sales = sample[~sample["is_cancel"] & (sample["qty"] > 0)]
    key = ["customer", "StockCode", "UnitPrice"]
    first_sale = sales.assign(customer=sales["CustomerID"].fillna("guest")).groupby(key)["number"].min()
    returns = cancels[~cancels["StockCode"].isin(CANCEL_FEE_CODES)]
    returns = returns.assign(customer=returns["CustomerID"].fillna("guest")).join(first_sale.rename("sold"), on=key)
    assert len(returns) > 0.9 * len(cancels)
    assert (returns["sold"] < returns["number"]).all()
    assert 0 < returns["CustomerID"].isna().mean() < 0.1  # a few refer to guest invoices


def test_write_offs_have_no_price_or_customer(sample: pd.DataFrame) -> None:
    write_offs = sample[~sample["is_cancel"] & (sample["qty"] < 0)]
    assert (write_offs["price"] == 0).all()
    assert write_offs["CustomerID"].isna().all()
    notes = write_offs["Description"].dropna()
    assert notes.isin(calibration.WRITE_OFF_NOTES).all()
    assert {"damaged", "?", "check"} <= set(notes)
    assert write_offs["Description"].isna().mean() == pytest.approx(862 / 1_336, abs=0.08)


def test_zero_price_sales_are_mostly_guests(sample: pd.DataFrame) -> None:
    zero = sample[(sample["price"] == 0) & (sample["qty"] > 0)]
    assert zero["CustomerID"].isna().mean() > 0.9
    assert sample["Description"].isna().groupby(sample["price"] == 0).mean()[False] == 0  # only zero prices lack one


def test_duplicates_follow_their_original(sample: pd.DataFrame) -> None:
    raw = _raw(sample)
    duplicated = raw.duplicated()
    same_as_previous = (raw.fillna("") == raw.shift().fillna("")).all(axis=1)
    assert (duplicated & same_as_previous).sum() >= 0.9 * duplicated.sum()


def test_customers(sample: pd.DataFrame) -> None:
    known = sample.dropna(subset=["CustomerID"])
    ids = known["CustomerID"].astype(int)
    assert known["CustomerID"].str.fullmatch(r"\d{5}").all() and ids.min() == 12346
    countries = known.groupby("CustomerID")["Country"].nunique()
    assert 1 <= (countries > 1).sum() <= 0.005 * len(countries)  # real: 8 of 4,372
    home = known.drop_duplicates("CustomerID")["Country"].value_counts(normalize=True)
    assert home.index[0] == "United Kingdom" and home.iloc[0] == pytest.approx(0.90, abs=0.02)
    assert {"Germany", "France", "EIRE", "Spain", "Netherlands", "Unspecified", "European Community"} <= set(home.index)
    invoices = known[~known["is_cancel"]].groupby("CustomerID")["InvoiceNo"].nunique()
    assert invoices.median() <= 3 and invoices.max() > 20 * invoices.median()  # a few whales


def test_products(sample: pd.DataFrame) -> None:
    codes = sample["StockCode"]
    products = codes[~codes.isin(NON_PRODUCT_CODES) & ~codes.str.startswith("gift_0001_")]
    assert products.str.fullmatch(r"\d{5}[A-Za-z]?").all()
    catalogue = min(4000, RATE_ROWS // 130)  # the rarest products may not sell at all
    assert 0.95 * catalogue <= products.nunique() <= catalogue
    popularity = products.value_counts()
    assert popularity.iloc[: len(popularity) // 100].sum() > 0.05 * len(products)  # real: top 1 % = 9.6 %
    price = sample.loc[products.index, "price"]
    assert 1.5 < price[price > 0].median() < 3.0
    descriptions = sample["Description"].dropna()
    stripped = descriptions != descriptions.str.strip()
    assert 0.1 < stripped.mean() < 0.35  # real: 21 % of descriptions carry leading/trailing spaces
    assert descriptions[products.index.intersection(descriptions.index)].str.strip().str.isupper().mean() > 0.99


def test_quantities_are_pack_sizes_with_a_tail(sample: pd.DataFrame) -> None:
    sales = sample[~sample["is_cancel"] & (sample["qty"] > 0) & (sample["price"] > 0)]
    share = sales["qty"].value_counts(normalize=True)
    assert set(share.index[:6]) <= {1, 2, 3, 4, 6, 12}
    assert share.loc[[1, 2, 3, 4, 6, 8, 10, 12, 24]].sum() > 0.8
    assert sales["qty"].median() == 3
    assert sales["qty"].max() >= 500
