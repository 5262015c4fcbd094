"""Bad input stops with a message naming the file, row or column and what to do - and loses nothing."""

import gzip

import pandas as pd
import pytest

from analytics.cleaning.clean_exports import clean_exports
from core.errors import UserError
from tests.analytics.raw_fixtures import ONLINE_RETAIL, TYPED_ROWS, write_csv

HEADER = ",".join(ONLINE_RETAIL)


def test_missing_column_lists_expected_and_found(tmp_path):
    bad = tmp_path / "export.csv"
    bad.write_text("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,CustomerID,Country\n536365,85123A,X,6,2010-12-01 08:26:00,17850,UK\n")
    with pytest.raises(UserError) as error:
        clean_exports([bad], tmp_path / "clean")
    message = str(error.value)
    assert str(bad) in message
    assert "missing required column(s) UnitPrice" in message
    expected = "InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country"
    assert f"Expected the Online Retail export columns: {expected}" in message
    assert "Found: InvoiceNo, StockCode, Description, Quantity, InvoiceDate, CustomerID, Country" in message


def test_online_retail_ii_header_missing_a_column_is_named_as_such(tmp_path):
    bad = tmp_path / "online_retail_II.csv"
    bad.write_text("Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Country\n489434,85048,X,12,2009-12-01 07:45:00,6.95,UK\n")
    with pytest.raises(UserError, match=r"missing required column\(s\) Customer ID\.\n  Expected the Online Retail II"):
        clean_exports([bad], tmp_path / "clean")


def test_unknown_date_style_shows_the_value(tmp_path):
    bad = tmp_path / "export.csv"
    bad.write_text(f"{HEADER}\n536365,85123A,X,6,01.12.2010 08:26,2.55,17850,UK\n")
    with pytest.raises(UserError, match=r"cannot tell the date format from the InvoiceDate values, e.g. '01.12.2010 08:26'"):
        clean_exports([bad], tmp_path / "clean")


def test_malformed_csv_line_is_located(tmp_path):
    bad = tmp_path / "export.csv"
    rows = "".join(f"5363{i:02d},85123A,X,6,2010-12-01 08:26:00,2.55,17850,UK\n" for i in range(5))
    bad.write_text(f"{HEADER}\n{rows}536399,85123A,X,6,2010-12-01 08:26:00,2.55,17850,UK,extra\n")
    with pytest.raises(UserError) as error:
        clean_exports([bad], tmp_path / "clean", chunk_rows=2)
    assert str(bad) in str(error.value) and "line 7" in str(error.value) and "double quotes" in str(error.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "no such file"), (b"", "the file is empty"), (gzip.compress(b"not,a\nreal,export\n"), "missing required column")],
)
def test_unreadable_inputs(tmp_path, content, expected):
    path = tmp_path / "drop.csv.gz"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UserError, match=expected):
        clean_exports([path], tmp_path / "clean")


def test_a_header_only_file_is_an_empty_drop(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER + "\n")
    result = clean_exports([empty], tmp_path / "clean")
    assert result.ledger.rows_in == {"empty.csv": 0}
    assert result.sales_summary()["rows"] == 0


def test_a_bad_file_keeps_the_previous_clean_data(tmp_path):
    good = write_csv(TYPED_ROWS, tmp_path / "good.csv", ONLINE_RETAIL)
    bad = tmp_path / "bad.csv"
    bad.write_text("InvoiceNo,StockCode\n1,2\n")
    clean_folder = tmp_path / "clean"
    before = clean_exports([good], clean_folder).sales_summary()
    with pytest.raises(UserError):
        clean_exports([good, bad], clean_folder)
    # the failed run wrote nothing: the earlier streams are intact and no partial folder is left
    assert pd.read_parquet(clean_folder / "sales.parquet").shape[0] == before["rows"] == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "clean", "good.csv"]


def test_a_failure_while_reading_leaves_no_partial_output(tmp_path):
    good = write_csv(TYPED_ROWS, tmp_path / "good.csv", ONLINE_RETAIL)
    late_error = tmp_path / "late.csv"
    # the bad line comes after the rows sniffed up front, so the run fails half-way through the file
    late_error.write_text(f"{HEADER}\n" + "536365,85123A,X,6,2010-12-01 08:26:00,2.55,17850,UK\n" * 80 + "1,2,3,4,5,6,7,8,9\n")
    with pytest.raises(UserError, match="line 82"):
        clean_exports([good, late_error], tmp_path / "clean", chunk_rows=10)
    assert not (tmp_path / "clean").exists()
    assert not list(tmp_path.glob("clean.partial-*"))
