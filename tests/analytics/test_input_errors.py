"""Bad input stops with a message naming the file, row or column and what to do - and loses nothing."""

import gzip

import pandas as pd
import pytest

from analytics.cleaning.clean_exports import clean_exports
from analytics.ingest.readers import open_tables
from core.errors import UserError
from tests.analytics.raw_fixtures import ONLINE_RETAIL, TYPED_ROWS, write_csv
from tests.analytics.wrong_files import WRONG_FILES, not_an_export

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
    [(None, "no such file"), (b"", "the file is empty"), (gzip.compress(b"not,a\nreal,export\n", mtime=0), "missing required column")],
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


@pytest.mark.parametrize("name", WRONG_FILES)
def test_a_file_that_is_no_export_is_named_by_what_it_looks_like(tmp_path, name):
    content, looks_like = WRONG_FILES[name]
    wrong = tmp_path / name
    wrong.write_bytes(content)
    with pytest.raises(UserError) as error:
        clean_exports([wrong], tmp_path / "clean")
    assert str(error.value) == not_an_export(wrong, looks_like)  # one line, before any parser ran
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no clean folder, no partial one


def test_the_content_decides_not_the_name(tmp_path):
    disguised = tmp_path / "online_retail.csv"
    disguised.write_bytes(WRONG_FILES["chart.png"][0])
    with pytest.raises(UserError) as error:
        open_tables(disguised)
    assert str(error.value) == not_an_export(disguised, "a PNG image")
    export = write_csv(TYPED_ROWS, tmp_path / "export.png", ONLINE_RETAIL)  # a real CSV, whatever its name
    assert [table.export_format.family for table in open_tables(export)] == ["Online Retail"]


def test_a_csv_with_a_stray_control_character_is_still_read_as_csv(tmp_path):
    export = tmp_path / "export.csv"
    export.write_bytes(f"{HEADER}\n536365,85123A,WHITE\x0bHEART\x1a,6,2010-12-01 08:26:00,2.55,17850,UK\n".encode())
    assert clean_exports([export], tmp_path / "clean").ledger.rows_in == {"export.csv": 1}


def test_a_damaged_workbook_keeps_its_message(tmp_path):
    damaged = tmp_path / "online_retail.xlsx"
    damaged.write_bytes(b"PK\x03\x04" + WRONG_FILES["dump.bin"][0])
    with pytest.raises(UserError, match=r"online_retail\.xlsx: not a readable Excel workbook \(.+\)\. Save it again as \.xlsx\."):
        open_tables(damaged)


def test_a_folder_is_not_a_file(tmp_path):
    empty = tmp_path / "drops"
    empty.mkdir()
    with pytest.raises(UserError) as error:
        clean_exports([empty], tmp_path / "clean")
    assert str(error.value) == (
        f"{empty}: is an empty folder, not a file; give export files with --input, or point CIP_LANDING_DIR at it and use --landing."
    )
    write_csv(TYPED_ROWS, empty / "2011-02.csv", ONLINE_RETAIL)
    write_csv(TYPED_ROWS, empty / "2011-01.csv", ONLINE_RETAIL)
    with pytest.raises(UserError) as error:
        open_tables(empty)
    assert str(error.value) == (
        f"{empty}: is a folder, not a file; give the files inside it with --input (e.g. --input {empty / '2011-01.csv'}), "
        "or point CIP_LANDING_DIR at it and use --landing."
    )
    assert not (tmp_path / "clean").exists()
