"""A warehouse that cannot be reached says what to fix, and never echoes the password; a DuckDB
file is created only when asked, and one another process holds is busy, in one line."""

import subprocess
import sys

import pytest

import warehouse
from warehouse.errors import ConnectError


def test_unreachable_sql_server_says_what_to_fix_without_the_password():
    url = "mssql+pyodbc://cip:s3cret-pw@127.0.0.1:1/cip?driver=ODBC+Driver+18+for+SQL+Server&LoginTimeout=2"
    with pytest.raises(ConnectError) as error:
        warehouse.connect(url)
    message = str(error.value)
    assert message.startswith("cannot connect to SQL Server: ")
    # here pyodbc cannot load the ODBC library; with drivers installed the server is refused
    assert "To fix: install unixODBC" in message or "To fix: check the server" in message
    assert "s3cret-pw" not in message


def test_a_missing_duckdb_file_is_created_only_when_asked(tmp_path):
    path = tmp_path / "typo" / "warehouse.duckdb"
    with pytest.raises(warehouse.WarehouseMissing) as error:
        warehouse.connect(f"duckdb:///{path.as_posix()}", create=False)
    assert error.value.path == str(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)
    assert not path.parent.exists()  # neither the file nor its folder was made
    with warehouse.connect(f"duckdb:///{path.as_posix()}") as engine:  # the pipeline's default: create
        assert engine.query("SELECT 1 AS x;")["x"].tolist() == [1]
    assert path.is_file()
    with warehouse.connect(f"duckdb:///{path.as_posix()}", create=False) as engine:  # now it exists
        assert engine.query("SELECT 2 AS x;")["x"].tolist() == [2]


def test_a_duckdb_file_another_process_holds_is_busy_naming_that_process(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_OPEN, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready", holder.stderr.read()
        with pytest.raises(warehouse.WarehouseBusy) as error:
            warehouse.connect(f"duckdb:///{path.as_posix()}", create=False)
    finally:
        holder.kill()
        holder.wait()
    assert (error.value.path, error.value.pid) == (str(path), holder.pid)
    message = str(error.value)
    assert message.startswith(f"the warehouse {path} is busy: another process has it open (PID {holder.pid}")
    assert "\n" not in message and "Could not set lock" not in message
    assert isinstance(error.value, warehouse.ConnectError)  # a flow step retries it, like any connection failure


def test_a_file_that_is_not_a_duckdb_database_is_a_connect_error(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    path.write_text("invoice,quantity\n" * 200, encoding="utf-8")  # a CSV export saved under the wrong name
    with pytest.raises(warehouse.ConnectError, match="not a valid DuckDB database file") as error:
        warehouse.connect(f"duckdb:///{path.as_posix()}", create=False)
    assert str(error.value).startswith(f"cannot open the DuckDB warehouse {path}: ")


# a second process that opens the DuckDB file (DuckDB's lock is per process) and keeps it open
HOLD_OPEN = """
import sys, time
import duckdb
connection = duckdb.connect(sys.argv[1])
print("ready", flush=True)
time.sleep(120)
"""
