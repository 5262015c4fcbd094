"""The marketing extracts, read back as a campaign tool and Excel would, against the warehouse.

The warehouse is a copy of the real one (the built `.cip/warehouse.duckdb` when it holds analytics
results, else the bundled data cleaned, loaded and analysed here); the reference is plain duckdb SQL
on the copied file, not our readers. The CSV is read with the csv module and pandas, the XLSX with
openpyxl. Hostile text goes into a second copy through dw.dim_customer, dw.dim_country and
mart.rfm_segment_map, so the Single Customer View shows it; thin data is a copy with the analytics
results deleted, and a freshly deployed, empty warehouse.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import re
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

import warehouse
from analytics.marts.parameters import AnalyticsParameters
from analytics.marts.run import analyse_warehouse
from core.paths import PROJECT_ROOT
from etl.load import load_batch
from executive import extracts
from executive.data import read_executive_data
from executive.extracts import write_extracts

BUILT = PROJECT_ROOT / ".cip" / "warehouse.duckdb"
NAMES = ["customers_at_risk", "whales", "segment_membership"]
COLUMNS = [
    "customer_id", "country", "country_display_name", "region", "segment", "rfm_code", "r_score", "f_score", "m_score",
    "recency_days", "frequency", "monetary", "net_revenue", "average_order_value", "first_purchase_at", "last_purchase_at",
    "churn_probability", "churn_risk_band", "is_high_value_at_risk", "is_whale", "as_of_date",
]  # fmt: skip
TEXT = ["country", "country_display_name", "region", "segment", "rfm_code", "churn_risk_band"]
INTEGERS = ["customer_id", "r_score", "f_score", "m_score", "recency_days", "frequency"]
DECIMALS = ["monetary", "net_revenue", "average_order_value", "churn_probability"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]
SPLIT = 'x",=1+1'  # a quote and a separator trying to open a new cell that starts with a formula

# The reference: the Single Customer View with the flag to act on, formatted as the CSV must be.
REFERENCE = """
SELECT v.customer_id, v.country, v.country_display_name, v.region, v.segment, v.rfm_code, v.r_score, v.f_score, v.m_score,
       v.recency_days, v.frequency, v.monetary, v.net_revenue, v.average_order_value,
       strftime(v.first_purchase_at, '%Y-%m-%dT%H:%M:%S') AS first_purchase_at,
       strftime(v.last_purchase_at, '%Y-%m-%dT%H:%M:%S') AS last_purchase_at,
       v.churn_probability, v.churn_risk_band, ch.is_high_value_at_risk, v.is_whale,
       strftime(v.as_of_date, '%Y-%m-%d') AS as_of_date
FROM mart.single_customer_view AS v
LEFT JOIN mart.customer_churn_risk AS ch ON ch.customer_id = v.customer_id AND ch.as_of_date = v.as_of_date
"""
WHERE = {"customers_at_risk": "v.churn_risk_band = 'high'", "whales": "v.is_whale", "segment_membership": "TRUE"}
ORDER = {
    "customers_at_risk": "COALESCE(ch.is_high_value_at_risk, FALSE) DESC, v.net_revenue DESC, v.customer_id",
    "whales": "v.net_revenue DESC, v.customer_id",
    "segment_membership": "v.customer_id",
}


def url(path: Path) -> str:
    return f"duckdb:///{path.as_posix()}"


def copy_warehouse(source: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "warehouse.duckdb"
    shutil.copyfile(source, target)
    if source.with_name(source.name + ".wal").is_file():
        shutil.copyfile(source.with_name(source.name + ".wal"), target.with_name(target.name + ".wal"))
    return target


def sql(path: Path, statement: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(statement).fetchall()


def change(path: Path, *statements: str) -> None:
    with duckdb.connect(str(path)) as connection:
        for statement in statements:
            connection.execute(statement)


def scored(path: Path) -> bool:
    try:
        return sql(path, "SELECT COUNT(*) FROM mart.single_customer_view WHERE churn_probability IS NOT NULL")[0][0] > 0
    except duckdb.Error:
        return False


def reference(path: Path, name: str) -> list[dict]:
    with duckdb.connect(str(path), read_only=True) as connection:
        cursor = connection.execute(f"{REFERENCE} WHERE {WHERE[name]} ORDER BY {ORDER[name]}")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def write(path: Path, folder: Path) -> list[Path]:
    with warehouse.connect(url(path)) as engine:
        data = read_executive_data(engine)
    return write_extracts(data, folder)


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")  # plain UTF-8, no BOM
    with path.open(encoding="utf-8", newline="") as file:
        lines = list(csv.reader(file))
    assert all(len(line) == len(lines[0]) for line in lines)
    return lines[0], [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


def read_xlsx(path: Path) -> tuple[list[str], list[dict]]:
    """Header and rows of every worksheet: {column: openpyxl cell}."""
    workbook = openpyxl.load_workbook(path)
    header, rows = None, []
    for sheet in workbook.worksheets:
        lines = list(sheet.iter_rows())
        header = [cell.value for cell in lines[0]]
        rows += [dict(zip(header, line, strict=True)) for line in lines[1:]]
    return header, rows


def shown_by_excel(value):
    """A string cell's text as Excel shows it: OOXML writes a control character as _xHHHH_
    (a carriage return as _x000D_, since XML would turn it into a line feed)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value) if isinstance(value, str) else value


def expected_csv(value, column: str) -> str:
    """A reference value as the CSV must show it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and column in TEXT and value.startswith(TRIGGERS):
        return "'" + value
    return str(value)


@pytest.fixture(scope="module")
def real(request, tmp_path_factory) -> Path:
    """A copy of the real, analysed warehouse (never the built file itself)."""
    folder = tmp_path_factory.mktemp("real")
    if BUILT.is_file():
        path = copy_warehouse(BUILT, folder)
        if scored(path):
            return path
        shutil.rmtree(folder)
    path = folder / "warehouse.duckdb"
    cleaned = request.getfixturevalue("real_cleaned")
    with warehouse.connect(url(path)) as engine:
        engine.deploy()
        load_batch(engine, cleaned, cleaned.ledger.table())
        analyse_warehouse(engine, AnalyticsParameters())
    return path


@pytest.fixture(scope="module")
def data(real):
    with warehouse.connect(url(real)) as engine:
        return read_executive_data(engine)


@pytest.fixture(scope="module")
def written(data, tmp_path_factory) -> list[Path]:
    return write_extracts(data, tmp_path_factory.mktemp("extracts"))


@pytest.fixture(scope="module")
def hostile(real, tmp_path_factory) -> tuple[Path, list[Path]]:
    """A copy with formula-looking text in countries, display names and a segment: each hostile
    country on a high-risk customer and on a whale, so every extract shows every value."""
    path = copy_warehouse(real, tmp_path_factory.mktemp("hostile"))
    view = "SELECT customer_id FROM mart.single_customer_view WHERE {} ORDER BY customer_id LIMIT 7"
    at_risk = [row[0] for row in sql(path, view.format("churn_risk_band = 'high' AND NOT is_whale"))]
    whales = [row[0] for row in sql(path, view.format("is_whale AND churn_risk_band <> 'high'"))]
    countries = [row[0] for row in sql(path, "SELECT country_key FROM dw.dim_country ORDER BY country_key LIMIT 7")]
    whale_code = sql(path, f"SELECT rfm_code FROM mart.single_customer_view WHERE customer_id = {whales[0]}")[0][0]
    statements = [f"UPDATE mart.rfm_segment_map SET segment = '@SUM(A1)' WHERE rfm_code = '{whale_code}'"]
    for value, risky, whale, country in zip([*HOSTILE, SPLIT], at_risk, whales, countries, strict=True):
        literal = "'" + value.replace("'", "''") + "'"
        statements.append(f"UPDATE dw.dim_customer SET country = {literal} WHERE customer_id IN ({risky}, {whale})")
        statements.append(f"UPDATE dw.dim_country SET display_name = {literal} WHERE country_key = {country}")
    change(path, *statements)
    return path, write(path, tmp_path_factory.mktemp("hostile_extracts"))


def test_every_extract_is_a_csv_and_an_xlsx_with_the_same_columns(written):
    assert [p.name for p in written] == [f"{name}.{suffix}" for name in NAMES for suffix in ("csv", "xlsx")]
    for path in written:
        header, _ = read_csv(path) if path.suffix == ".csv" else read_xlsx(path)
        assert header == COLUMNS, path.name
    assert not list(written[0].parent.glob("*.partial*"))


@pytest.mark.parametrize("name", NAMES)
def test_every_value_equals_the_warehouse_in_campaign_order(real, written, name):
    rows = reference(real, name)
    _, csv_rows = read_csv(written[0].parent / f"{name}.csv")
    assert len(csv_rows) == len(rows) > 0
    for row, expected in zip(csv_rows, rows, strict=True):
        for column in COLUMNS:
            if column in DECIMALS and expected[column] is not None:
                assert Decimal(row[column]) == expected[column], (name, column, row["customer_id"])
            else:
                assert row[column] == expected_csv(expected[column], column), (name, column, row["customer_id"])


def test_the_lists_hold_the_customers_the_warehouse_names(real, written):
    folder = written[0].parent
    counts = sql(
        real,
        """SELECT COUNT(*), COUNT(*) FILTER (WHERE v.churn_risk_band = 'high'), COUNT(*) FILTER (WHERE v.is_whale),
                  COUNT(*) FILTER (WHERE ch.is_high_value_at_risk AND v.churn_risk_band = 'high')
           FROM mart.single_customer_view AS v
           LEFT JOIN mart.customer_churn_risk AS ch ON ch.customer_id = v.customer_id AND ch.as_of_date = v.as_of_date""",
    )[0]
    everyone, high_risk, whales, act_on = counts
    assert everyone > high_risk > act_on > 0 and whales > 0
    for name, count in zip(NAMES, (high_risk, whales, everyone), strict=True):
        for path in (folder / f"{name}.csv", folder / f"{name}.xlsx"):
            _, rows = read_csv(path) if path.suffix == ".csv" else read_xlsx(path)
            assert len(rows) == count, path.name
    _, at_risk = read_csv(folder / "customers_at_risk.csv")
    flags = [row["is_high_value_at_risk"] for row in at_risk]
    assert flags == ["true"] * act_on + ["false"] * (high_risk - act_on)  # the list to act on comes first
    assert {row["churn_risk_band"] for row in at_risk} == {"high"}
    _, whale_rows = read_csv(folder / "whales.csv")
    assert {row["is_whale"] for row in whale_rows} == {"true"}


@pytest.mark.parametrize("name", NAMES)
def test_the_xlsx_holds_the_csv_values_as_typed_cells(written, name):
    folder = written[0].parent
    _, csv_rows = read_csv(folder / f"{name}.csv")
    _, xlsx_rows = read_xlsx(folder / f"{name}.xlsx")
    assert [int(row["customer_id"]) for row in csv_rows] == [row["customer_id"].value for row in xlsx_rows]
    for line, cells in zip(csv_rows, xlsx_rows, strict=True):
        for column in COLUMNS:
            cell, text = cells[column], line[column]
            if text == "":
                assert cell.value is None, column
            elif column in TEXT:
                assert (cell.data_type, shown_by_excel(cell.value)) == ("s", text), column
            elif column in INTEGERS:
                assert (cell.data_type, cell.value) == ("n", int(text)), column
            elif column in DECIMALS:
                assert cell.data_type == "n" and Decimal(str(cell.value)) == Decimal(text), column
            elif column.startswith("is_"):
                assert (cell.data_type, cell.value) == ("b", text == "true"), column
            else:
                assert cell.data_type == "d" and cell.value == dt.datetime.fromisoformat(text), column


def test_numbers_are_numbers_and_a_negative_one_is_not_escaped(real, written):
    negative = {row[0]: row[1] for row in sql(real, "SELECT customer_id, net_revenue FROM mart.single_customer_view WHERE net_revenue < 0")}
    assert negative
    path = written[0].parent / "segment_membership.csv"
    frame = pd.read_csv(path, encoding="utf-8")
    for column in INTEGERS:
        assert frame[column].dtype == "int64", column
    for column in DECIMALS:
        assert frame[column].dtype == "float64", column
    by_id = frame.set_index("customer_id")["net_revenue"]
    assert {c: Decimal(str(by_id[c])) for c in negative} == negative
    lines = {line.split(",", 1)[0]: line for line in path.read_text(encoding="utf-8").splitlines()}
    for customer, revenue in negative.items():
        field = dict(zip(COLUMNS, next(csv.reader([lines[str(customer)]])), strict=True))["net_revenue"]
        assert field.startswith("-") and Decimal(field) == revenue and f",{field}," in lines[str(customer)], customer  # bare, no quote
    _, rows = read_xlsx(written[0].parent / "segment_membership.xlsx")
    cells = {row["customer_id"].value: row["net_revenue"] for row in rows}
    for customer, revenue in negative.items():
        assert cells[customer].data_type == "n" and Decimal(str(cells[customer].value)) == revenue


@pytest.mark.parametrize("name", NAMES)
def test_formula_looking_text_is_neutralised_in_every_extract(hostile, name):
    path, files = hostile
    folder = files[0].parent
    rows = reference(path, name)
    assert {*HOSTILE, SPLIT} <= {row["country"] for row in rows}
    if name == "segment_membership":
        assert {*HOSTILE, SPLIT} <= {row["country_display_name"] for row in rows}
    if name != "customers_at_risk":
        assert "@SUM(A1)" in {row["segment"] for row in rows}

    _, csv_rows = read_csv(folder / f"{name}.csv")
    _, xlsx_rows = read_xlsx(folder / f"{name}.xlsx")
    for line, cells, expected in zip(csv_rows, xlsx_rows, rows, strict=True):
        for column in TEXT:
            value = expected[column]
            safe = "'" + value if value.startswith(TRIGGERS) else value
            assert line[column] == safe, (column, value)
            assert (cells[column].data_type, shown_by_excel(cells[column].value)) == ("s", safe), (column, value)
        for column in INTEGERS + DECIMALS:
            assert cells[column].data_type == "n" and not line[column].startswith(("'", '"')), column
    countries = {row["country"] for row in csv_rows}
    assert {"'" + value for value in HOSTILE} | {SPLIT} <= countries
    raw = (folder / f"{name}.csv").read_bytes().decode("utf-8")  # bytes: a text read would turn \r into \n
    assert '"\'=HYPERLINK(""http://x"",""y"")"' in raw and '"\'\rCR"' in raw and '"\'\tTAB"' in raw
    assert '"x"",=1+1"' in raw  # the separator stays inside the quoted cell
    assert all(cell.data_type != "f" for cells in xlsx_rows for cell in cells.values())


def test_hostile_text_leaves_the_negative_numbers_numeric(hostile):
    path, files = hostile
    negative = {row[0] for row in sql(path, "SELECT customer_id FROM mart.single_customer_view WHERE net_revenue < 0")}
    _, rows = read_xlsx(files[0].parent / "segment_membership.xlsx")
    cells = [row["net_revenue"] for row in rows if row["customer_id"].value in negative]
    assert len(cells) == len(negative) and all(cell.data_type == "n" and cell.value < 0 for cell in cells)


def test_before_the_analytics_ran_the_lists_are_headers_and_the_scores_empty(real, tmp_path):
    path = copy_warehouse(real, tmp_path / "thin")
    change(path, "DELETE FROM mart.customer_churn_risk", "DELETE FROM mart.customer_whale")
    files = write(path, tmp_path / "extracts")
    customers = sql(path, "SELECT COUNT(*) FROM mart.single_customer_view")[0][0]
    for file in files:
        header, rows = read_csv(file) if file.suffix == ".csv" else read_xlsx(file)
        assert header == COLUMNS
        assert len(rows) == (customers if file.stem == "segment_membership" else 0), file.name
    _, rows = read_csv(tmp_path / "extracts" / "segment_membership.csv")
    for column in ("churn_probability", "churn_risk_band", "is_high_value_at_risk", "is_whale"):
        assert {row[column] for row in rows} == {""}, column
    assert all(row["segment"] and row["rfm_code"] for row in rows)


def test_an_empty_warehouse_gives_the_headers(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with warehouse.connect(url(path)) as engine:
        engine.deploy()
        data = read_executive_data(engine)
    for folder, given in ((tmp_path / "empty", data), (tmp_path / "no_columns", dataclasses.replace(data, customers=pd.DataFrame()))):
        files = write_extracts(given, folder)
        assert [f.name for f in files] == [f"{name}.{suffix}" for name in NAMES for suffix in ("csv", "xlsx")]
        for file in files:
            header, rows = read_csv(file) if file.suffix == ".csv" else read_xlsx(file)
            assert (header, rows) == (COLUMNS, []), file.name


def test_a_second_run_replaces_the_files(data, written, tmp_path):
    (tmp_path / "whales.csv").write_text("an older run's list", encoding="utf-8")
    again = write_extracts(data, tmp_path)
    for first, second in zip(written, again, strict=True):
        if first.suffix == ".csv":
            assert first.read_bytes() == second.read_bytes()
    assert sorted(tmp_path.iterdir()) == sorted(again)  # nothing half-written left behind


def test_a_list_longer_than_a_worksheet_continues_on_the_next(data, tmp_path, monkeypatch):
    monkeypatch.setattr(extracts, "EXCEL_DATA_ROWS", 1000)
    path = write_extracts(data, tmp_path)[5]
    workbook = openpyxl.load_workbook(path, read_only=True)
    customers = len(data.customers)
    assert workbook.sheetnames == ["segment_membership"] + [f"segment_membership ({n})" for n in range(2, -(-customers // 1000) + 1)]
    ids = [row[0] for sheet in workbook.worksheets for row in sheet.iter_rows(min_row=2, max_col=1, values_only=True)]
    assert [sheet.cell(1, 1).value for sheet in workbook.worksheets] == ["customer_id"] * len(workbook.sheetnames)
    assert ids == sorted(data.customers["customer_id"].tolist())
    workbook.close()
