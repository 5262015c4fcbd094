"""Every cleaning rule, on hand-made rows written in every export format the product accepts."""

from datetime import datetime

import pandas as pd
import pytest

from analytics.cleaning.clean_exports import clean_exports
from core.errors import UserError
from tests.analytics.raw_fixtures import ONLINE_RETAIL, expected_rules, write_csv, write_every_format

FORMATS = ["kaggle_csv", "uci_csv", "uci_csv_gz", "uci_xlsx", "ii_csv", "ii_xlsx", "uci_parquet"]


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return write_every_format(tmp_path_factory.mktemp("exports"))


@pytest.fixture(scope="module", params=FORMATS)
def cleaned(request, exports, tmp_path_factory):
    path, rows, export_name = exports[request.param]
    result = clean_exports([path], tmp_path_factory.mktemp(request.param) / "clean", chunk_rows=4)
    streams = {d: pd.read_parquet(result.stream(d)) for d in ("sale", "return", "excluded")}
    return request.param, rows, export_name, result, streams


def _rules_in_row_order(streams) -> list[str]:
    sales = streams["sale"].assign(rule="sale")
    returns = streams["return"].assign(rule="cancellation")
    everything = pd.concat([sales, returns, streams["excluded"]])[["source", "source_row", "rule"]]
    # Workbook sheets are read in order; rows inside a table by their row number.
    everything["table"] = everything["source"].str.extract(r"\[Year (\d{4})")[0].fillna("0")
    return everything.sort_values(["table", "source_row"])["rule"].tolist()


def test_every_row_gets_its_expected_rule(cleaned):
    name, rows, _, _, streams = cleaned
    assert _rules_in_row_order(streams) == expected_rules(rows)


def test_format_is_detected(cleaned):
    _, _, export_name, result, _ = cleaned
    assert set(result.formats.values()) == {export_name}


def test_ledger_counts_each_rule(cleaned):
    _, rows, _, result, _ = cleaned
    ledger = result.ledger.table().groupby("rule")["rows"].sum().to_dict()
    assert ledger == pd.Series(expected_rules(rows)).value_counts().to_dict()
    assert sum(result.ledger.rows_in.values()) == len(rows)


def test_sales_are_typed_and_trimmed(cleaned):
    _, _, _, _, streams = cleaned
    sales = streams["sale"].set_index("stock_code")
    heart = sales.loc["85123A"]
    assert heart["description"] == "WHITE HANGING HEART T-LIGHT HOLDER"
    assert heart["customer_id"] == 17850 and str(sales["customer_id"].dtype) == "int64"
    assert heart["invoice_date"] == datetime(2010, 12, 1, 8, 26)
    assert heart["revenue"] == pytest.approx(15.30)
    assert heart["invoice_no"] == "536365"
    # lower-case codes are the same product as their upper-case twin
    assert "85099B" in sales.index
    assert sales.loc["GIFT_0001_20", "description"] == "Dotcomgiftshop Gift Voucher £20.00"
    assert sales["product_type"].to_dict() == {
        "85123A": "product",
        "71053": "product",
        "POST": "postage",
        "85099B": "product",
        "GIFT_0001_20": "gift_voucher",
    }


def test_returns_keep_their_sign_and_customer(cleaned):
    _, _, _, _, streams = cleaned
    returns = streams["return"].set_index("invoice_no")
    assert returns["quantity"].to_dict() == {"C536379": -1, "C536383": -1}
    assert returns.loc["C536379", "revenue"] == pytest.approx(-27.5)
    assert returns.loc["C536383", "customer_id"] == 15311
    assert returns.loc["C536379", "product_type"] == "discount"


def test_excluded_rows_say_why(cleaned):
    name, _, _, _, streams = cleaned
    excluded = streams["excluded"]
    assert excluded.loc[excluded["rule"] == "exact_duplicate", "reason"].tolist() == ["an exact copy of an earlier row"]
    if name == "uci_parquet":
        return  # a typed parquet file cannot hold unparseable values
    reasons = excluded.loc[excluded["rule"] == "unparseable_value", "reason"].tolist()
    assert reasons == [
        "quantity 'six' is not a whole number",
        "invoice_date 'not a date' is not a date in this file's format",
        "unit_price '3,75' is not a number; customer_id 'ABC' is not a whole number",
        "invoice_no is empty",
    ]
    # the quarantine keeps the values as exported, for inspection
    assert excluded.loc[excluded["rule"] == "unparseable_value", "quantity"].tolist()[0] == "six"


def test_duplicates_are_found_across_files_and_chunks(exports, tmp_path):
    path, rows, _ = exports["uci_csv"]
    resent = tmp_path / "december" / path.name
    resent.parent.mkdir()
    resent.write_bytes(path.read_bytes())
    result = clean_exports([path, resent], tmp_path / "clean", chunk_rows=3)
    duplicates = result.ledger.table().query("rule == 'exact_duplicate'").set_index("source")["rows"].to_dict()
    # same file name twice: the ledger names each by its path; every parseable row of the resent file is a repeat
    parseable = sum(1 for r in rows if r[-1] != "unparseable_value")
    assert duplicates == {str(path): 1, str(resent): parseable}


def test_a_file_listed_twice_is_refused(exports, tmp_path):
    path = exports["uci_csv"][0]
    with pytest.raises(UserError, match="listed twice"):
        clean_exports([path, path], tmp_path / "clean")


def test_result_does_not_depend_on_chunk_size(exports, tmp_path):
    path = exports["ii_xlsx"][0]
    small = clean_exports([path], tmp_path / "a", chunk_rows=1).ledger.table()
    large = clean_exports([path], tmp_path / "b", chunk_rows=10_000).ledger.table()
    pd.testing.assert_frame_equal(small, large)


def test_exact_means_exact_but_values_compare_typed(tmp_path):
    row = ("536365", "71053", "WHITE METAL LANTERN", 6, datetime(2010, 12, 1, 8, 26), 3.39, 17850, "United Kingdom")
    rows = [
        row + ("sale",),
        row[:2] + ("WHITE METAL LANTERN ",) + row[3:] + ("sale",),  # a trailing space: not an exact copy
        row + ("exact_duplicate",),
    ]
    first = write_csv(rows[:2], tmp_path / "a.csv", ONLINE_RETAIL)
    # the same row again in a Kaggle-style file: '17850.0' and '12/1/2010 8:26' are the same values
    again = write_csv(rows[2:], tmp_path / "b.csv", ONLINE_RETAIL, "month_first", float_ids=True)
    result = clean_exports([first, again], tmp_path / "clean")
    assert result.ledger.table()[["source", "rule", "rows"]].values.tolist() == [["a.csv", "sale", 2], ["b.csv", "exact_duplicate", 1]]
