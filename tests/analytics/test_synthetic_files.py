"""Generated export files: exact sizes, byte-for-byte determinism, safe writes, the three layouts, argument errors."""

from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from analytics.synthetic import generate, layouts

UCI_HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
II_HEADER = "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country"


# --------------------------------------------------------------------------------------------
# determinism and sizes
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 2, 7, 100, 1000, 4321])
def test_writes_exactly_the_requested_rows(tmp_path: Path, rows: int) -> None:
    path = tmp_path / "out.csv"
    assert generate(rows, 1, path) == rows
    df = pd.read_csv(path, dtype=str)
    assert len(df) == rows
    assert list(df.columns) == UCI_HEADER.split(",")
    assert df["InvoiceNo"].iloc[0] == "536365"


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    generate(5_000, 11, tmp_path / "a.csv")
    generate(5_000, 11, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


@pytest.mark.parametrize("chunk_rows", [1, 333, 4_999, 1_000_000])
def test_chunk_rows_does_not_change_the_output(tmp_path: Path, chunk_rows: int) -> None:
    generate(5_000, 11, tmp_path / "default.csv")
    generate(5_000, 11, tmp_path / "chunked.csv", chunk_rows=chunk_rows)
    assert (tmp_path / "default.csv").read_bytes() == (tmp_path / "chunked.csv").read_bytes()


def test_different_seeds_give_different_data(tmp_path: Path) -> None:
    generate(5_000, 11, tmp_path / "a.csv")
    generate(5_000, 12, tmp_path / "b.csv")
    a = pd.read_csv(tmp_path / "a.csv", dtype=str)
    b = pd.read_csv(tmp_path / "b.csv", dtype=str)
    assert (tmp_path / "a.csv").read_bytes() != (tmp_path / "b.csv").read_bytes()
    assert (a["StockCode"] != b["StockCode"]).mean() > 0.5


def test_gzip_output_is_deterministic_and_matches_plain(tmp_path: Path) -> None:
    generate(3_000, 5, tmp_path / "plain.csv")
    generate(3_000, 5, tmp_path / "one.csv.gz")
    generate(3_000, 5, tmp_path / "two.csv.gz", chunk_rows=100)
    packed = (tmp_path / "one.csv.gz").read_bytes()
    assert packed[:2] == b"\x1f\x8b"
    assert packed == (tmp_path / "two.csv.gz").read_bytes()
    assert gzip.decompress(packed) == (tmp_path / "plain.csv").read_bytes()


def test_creates_parent_folders_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "retail.csv.gz"
    generate(500, 2, out)
    assert out.is_file()
    assert [p.name for p in out.parent.iterdir()] == ["retail.csv.gz"]


def test_failure_leaves_no_half_written_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "retail.csv"
    out.write_text("previous content\n")
    real_chunk = layouts.chunk_frame
    calls = []

    def failing_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        return real_chunk(*args, **kwargs)

    monkeypatch.setattr(layouts, "chunk_frame", failing_chunk)
    with pytest.raises(OSError, match="disk full"):
        generate(5_000, 1, out, chunk_rows=500)
    assert out.read_text() == "previous content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["retail.csv"]


# --------------------------------------------------------------------------------------------
# export layouts
# --------------------------------------------------------------------------------------------

LAYOUT_ROWS, LAYOUT_SEED = 60_000, 3  # about 4 gift-voucher lines, whose text has the real "Â£"


@pytest.fixture(scope="module")
def layout_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("layouts")
    files = {}
    for export_format in ("uci", "kaggle", "ii"):
        path = folder / f"{export_format}.csv"
        generate(LAYOUT_ROWS, LAYOUT_SEED, path, export_format=export_format)
        files[export_format] = path.read_bytes()
    return files


def _records(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


def test_uci_layout(layout_files: dict[str, bytes]) -> None:
    records = _records(layout_files["uci"], "utf-8")
    assert ",".join(records[0]) == UCI_HEADER
    body = records[1:]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:00", r[4]) for r in body)
    assert all(re.fullmatch(r"\d{5}|", r[6]) for r in body)
    assert any(r[6] == "" for r in body)
    assert "Dotcomgiftshop Gift Voucher Â£".encode() in layout_files["uci"]


def test_kaggle_layout(layout_files: dict[str, bytes]) -> None:
    data = layout_files["kaggle"]
    # ISO-8859-1: the voucher text "Â£" is the two bytes C2 A3 (in UTF-8 it would be C3 82 C2 A3)
    assert "Dotcomgiftshop Gift Voucher Â£".encode("iso-8859-1") in data
    assert "Â£".encode() not in data
    records = _records(data, "iso-8859-1")
    assert ",".join(records[0]) == UCI_HEADER
    body = records[1:]
    assert all(re.fullmatch(r"[1-9]\d?/[1-9]\d?/\d{4} [1-9]?\d:\d{2}", r[4]) for r in body)
    assert body[0][4].startswith("12/") and body[-1][4].startswith("12/") and body[-1][4][-9:-5] != "2010"
    assert all(re.fullmatch(r"\d{5}\.0|", r[6]) for r in body)


def test_ii_layout(layout_files: dict[str, bytes]) -> None:
    records = _records(layout_files["ii"], "utf-8")
    assert ",".join(records[0]) == II_HEADER
    body = records[1:]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:00", r[4]) for r in body)
    assert all(re.fullmatch(r"\d{5}\.0|", r[6]) for r in body)


def test_layouts_carry_the_same_data(layout_files: dict[str, bytes]) -> None:
    uci = pd.read_csv(io.BytesIO(layout_files["uci"]), dtype=str, encoding="utf-8")
    kaggle = pd.read_csv(io.BytesIO(layout_files["kaggle"]), dtype=str, encoding="iso-8859-1")
    ii = pd.read_csv(io.BytesIO(layout_files["ii"]), dtype=str, encoding="utf-8")
    ii.columns = uci.columns
    for other in (kaggle, ii):
        for column in ("InvoiceNo", "StockCode", "Description", "Quantity", "UnitPrice", "Country"):
            pd.testing.assert_series_equal(uci[column], other[column])
        pd.testing.assert_series_equal(uci["CustomerID"].astype(float), other["CustomerID"].astype(float), check_exact=True)
    pd.testing.assert_series_equal(pd.to_datetime(uci["InvoiceDate"]), pd.to_datetime(kaggle["InvoiceDate"], format="%m/%d/%Y %H:%M"))
    assert (uci["InvoiceDate"] == ii["InvoiceDate"]).all()


@pytest.mark.parametrize("export_format", ["uci", "kaggle", "ii"])
def test_tiny_gzip_files_in_every_layout(tmp_path: Path, export_format: str) -> None:
    path = tmp_path / f"{export_format}.csv.gz"
    assert generate(7, 9, path, export_format=export_format) == 7
    encoding = "iso-8859-1" if export_format == "kaggle" else "utf-8"
    lines = gzip.decompress(path.read_bytes()).decode(encoding).splitlines()
    assert len(lines) == 8
    assert lines[0] == (II_HEADER if export_format == "ii" else UCI_HEADER)


# --------------------------------------------------------------------------------------------
# invalid arguments
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [0, -5, 2.5, True, "10"])
def test_rejects_bad_row_counts(tmp_path: Path, rows: object) -> None:
    with pytest.raises(ValueError, match=r"rows must be an integer >= 1"):
        generate(rows, 1, tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


def test_rejects_unknown_export_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"export_format must be one of 'uci', 'kaggle', 'ii'; got 'xlsx'"):
        generate(10, 1, tmp_path / "x.csv", export_format="xlsx")


@pytest.mark.parametrize("chunk_rows", [0, -1, 1.5])
def test_rejects_bad_chunk_rows(tmp_path: Path, chunk_rows: object) -> None:
    with pytest.raises(ValueError, match=r"chunk_rows must be an integer >= 1"):
        generate(10, 1, tmp_path / "x.csv", chunk_rows=chunk_rows)


@pytest.mark.parametrize("seed", [-1, 1.0, None])
def test_rejects_bad_seeds(tmp_path: Path, seed: object) -> None:
    with pytest.raises(ValueError, match=r"seed must be an integer >= 0"):
        generate(10, seed, tmp_path / "x.csv")
