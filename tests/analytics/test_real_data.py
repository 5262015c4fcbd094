"""The bundled real data set reproduces the figures published for the UCI Online Retail file."""

import pandas as pd

from core.paths import BUNDLED_DATA


def test_sales_stream_matches_published_figures(real_cleaned):
    assert real_cleaned.sales_summary() == {"rows": 392_692, "customers": 4_338, "invoices": 18_532, "revenue": 8_887_208.89}


def test_returns_with_a_customer_match_published_figures(real_cleaned):
    returns = pd.read_parquet(real_cleaned.returns_file, columns=["revenue", "customer_id"])
    assert len(returns) == 8_872
    assert round(returns["revenue"].sum(), 2) == -608_689.47
    assert returns["customer_id"].notna().all()


def test_ledger_accounts_for_every_raw_row(real_cleaned):
    ledger = real_cleaned.ledger.table().set_index("rule")
    assert real_cleaned.ledger.rows_in == {"online_retail.csv.gz": 541_909}
    assert ledger["rows"].sum() == 541_909
    # Published quirks of the raw file, each landing on its own rule.
    assert ledger.loc["exact_duplicate", "rows"] == 5_268
    assert ledger.loc["bad_debt_adjustment", "rows"] == 3
    assert ledger.loc["stock_write_off", "rows"] == 1_336
    assert "unparseable_value" not in ledger.index
    # 135,080 raw rows lack a CustomerID; the write-offs and bad-debt rows among them are named by
    # their own rules first, and duplicates of guest rows count as duplicates.
    excluded = pd.read_parquet(real_cleaned.stream("excluded"), columns=["customer_id", "rule"])
    assert (excluded["customer_id"].isna() & (excluded["rule"] == "missing_customer")).sum() == ledger.loc["missing_customer", "rows"]


def test_sales_agree_with_an_independent_pandas_computation(real_cleaned):
    raw = pd.read_csv(BUNDLED_DATA, dtype={"InvoiceNo": str, "StockCode": str})
    plain = raw.drop_duplicates()
    plain = plain[(plain["Quantity"] > 0) & (plain["UnitPrice"] > 0) & plain["CustomerID"].notna()]
    sales = pd.read_parquet(real_cleaned.sales_file, columns=["customer_id", "revenue", "invoice_no"])
    ours = sales.groupby("customer_id")["revenue"].sum().round(2)
    reference = (plain["Quantity"] * plain["UnitPrice"]).groupby(plain["CustomerID"].astype("int64")).sum().round(2)
    pd.testing.assert_series_equal(ours, reference, check_names=False, check_index_type=False)


def test_non_product_codes_stay_in_sales_with_their_type(real_cleaned):
    sales = pd.read_parquet(real_cleaned.sales_file, columns=["stock_code", "product_type", "revenue"])
    types = sales.groupby("product_type")["stock_code"].agg(lambda codes: sorted(set(codes)))
    assert types["postage"] == ["C2", "DOT", "POST"]
    assert types["manual"] == ["M"]
    assert types["fee"] == ["BANK CHARGES"]
    assert types["other_non_product"] == ["PADS"]
    # gift vouchers, samples, discounts and Amazon fees occur only without a customer or as returns
    assert set(types.index) == {"product", "postage", "manual", "fee", "other_non_product"}
    assert (sales["product_type"] == "product").mean() > 0.99
