"""A warehouse that cannot be reached says what to fix, and never echoes the password."""

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
