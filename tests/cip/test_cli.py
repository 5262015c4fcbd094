"""The `cip` command as a user runs it: output, exit codes, settings from options and environment.

`cip run` runs the customer_intelligence flow against the session's Prefect API (prefect_api)."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from cip.cli import app
from tests.analytics.raw_fixtures import ONLINE_RETAIL, TYPED_ROWS, write_csv

runner = CliRunner()


@pytest.fixture
def workspace(tmp_path, monkeypatch, prefect_api):
    """An empty working folder, so no developer's .env or CIP_* variables leak in."""
    monkeypatch.chdir(tmp_path)
    for variable in ("CIP_INPUTS", "CIP_WORK_DIR", "CIP_WAREHOUSE_URL", "CIP_OUTPUT_DIR", "CIP_CHUNK_ROWS", "CIP_LANDING_DIR"):
        monkeypatch.delenv(variable, raising=False)
    return tmp_path


def test_run_prints_the_ledger_and_a_summary(workspace):
    export = write_csv(TYPED_ROWS, workspace / "drop.csv", ONLINE_RETAIL)
    result = runner.invoke(app, ["run", "--input", str(export), "--out", "reports"])
    assert result.exit_code == 0, result.output
    assert "rows in 17 = excluded 10 + return 2 + sale 5  (balanced)" in result.output
    assert "Sales stream: 5 rows, 4 customers, 4 invoices, revenue 108.16" in result.output
    # by hand: 6 x 2.55 + 6 x 3.39 + 2 x 18.00 + 10 x 1.95 + 1 x 17.02 = 108.16
    # warehouse: 4 buyers + 2 customers with returns only; 7 stock codes; UK, France, EIRE; all
    # sales on 2010-12-01, so one cohort and as-of 2010-12-02; codes 114, 222, 331, 443 fall in
    # four different segments (see tests/etl/test_warehouse_small.py)
    assert "Warehouse: batch 1: dw.fact_sales 5 rows, dw.fact_returns 2 rows, 6 customers, 7 products, 3 countries" in result.output
    assert "Marts: 4 customers in the Single Customer View, 4 RFM segments in use, 1 monthly cohort(s), as of 2010-12-02" in result.output
    assert "Warehouse at duckdb:///.cip/warehouse.duckdb" in result.output
    written = [line.strip() for line in result.output.splitlines() if line.startswith("  reports/")]
    assert written[:3] == ["reports/cleaning_ledger.csv", "reports/customer_intelligence.pptx", "reports/customer_intelligence.html"]
    for step in ("ingest", "deploy", "clean drop.csv", "stage drop.csv", "build drop.csv", "warehouse reports"):
        assert f"│ {step} " in result.output and "completed" in result.output
    for step in ("analytics", "power bi refresh"):
        assert any(line.startswith(f"│ {step} ") and "skipped" in line for line in result.output.splitlines()), step
    # thin data still gets its executive outputs, saying what is missing
    assert any(line.startswith("│ executive outputs ") and "completed" in line for line in result.output.splitlines())
    assert (workspace / "reports" / "customer_intelligence.pptx").is_file()
    # one day of sales cannot feed an out-of-time analysis: skipped with the reason, not failed
    assert "Analytics skipped, the data cannot support them yet: no sale before as_of 2010-06-02." in " ".join(result.output.split())
    assert (workspace / ".cip" / "warehouse.duckdb").is_file()
    ledger = pd.read_csv(workspace / "reports" / "cleaning_ledger.csv")
    assert ledger["rows"].sum() == 17
    assert (workspace / ".cip" / "clean" / "sales.parquet").is_file()

    again = runner.invoke(app, ["run", "--input", str(export), "--out", "reports"])
    assert again.exit_code == 0, again.output
    assert "drop.csv: already loaded by batch 1 (same content), skipped" in again.output
    assert "Warehouse: batch 1: dw.fact_sales 5 rows, dw.fact_returns 2 rows" in again.output
    assert "Sales stream" not in again.output  # nothing was cleaned


def test_settings_come_from_the_environment(workspace, monkeypatch):
    export = write_csv(TYPED_ROWS, workspace / "drop.csv", ONLINE_RETAIL)
    monkeypatch.setenv("CIP_INPUTS", f'["{export}"]')
    monkeypatch.setenv("CIP_WORK_DIR", "state")
    monkeypatch.setenv("CIP_OUTPUT_DIR", "env-reports")
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 0, result.output
    assert (workspace / "state" / "clean" / "sales.parquet").is_file()
    assert (workspace / "env-reports" / "cleaning_ledger.csv").is_file()


def test_missing_input_is_a_clear_error(workspace):
    result = runner.invoke(app, ["run", "--input", "nowhere.csv"])
    assert result.exit_code == 2
    assert "nowhere.csv: no such file. Check the --input path (or CIP_INPUTS)." in result.output
    assert "Traceback" not in result.output


def test_unknown_warehouse_scheme_names_the_setting(workspace):
    result = runner.invoke(app, ["run", "--warehouse", "postgres://db/x"])
    assert result.exit_code == 2
    assert "CIP_WAREHOUSE_URL / --warehouse must start with one of duckdb://, mssql+pyodbc://" in result.output


def test_bad_chunk_setting_names_it(workspace, monkeypatch):
    monkeypatch.setenv("CIP_CHUNK_ROWS", "10")
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2
    assert "chunk_rows" in result.output and "1000" in result.output
