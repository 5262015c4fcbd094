"""The warehouse engine: one T-SQL source (`sql/`), two engines.

`connect(url)` returns an `Engine` for SQL Server (`mssql+pyodbc://...`) or for embedded
DuckDB (`duckdb:///path.duckdb`, `duckdb:///:memory:`), where the same T-SQL runs through the
`warehouse.tsql` adapter. See docs/engine.md.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from warehouse.engine import Engine
from warehouse.errors import (
    ConnectError,
    InvalidSql,
    ParameterError,
    ProcedureError,
    SqlRefused,
    UnknownProcedure,
    UsageError,
    WarehouseBusy,
    WarehouseError,
    WarehouseMissing,
)
from warehouse.results import ProcedureResult

__all__ = [
    "ConnectError",
    "Engine",
    "InvalidSql",
    "ParameterError",
    "ProcedureError",
    "ProcedureResult",
    "SqlRefused",
    "UnknownProcedure",
    "UsageError",
    "WarehouseBusy",
    "WarehouseError",
    "WarehouseMissing",
    "connect",
]


def connect(url: str, *, create: bool = True) -> Engine:
    """An engine for a SQLAlchemy URL: `duckdb:///...` or `mssql+pyodbc://...`.

    A DuckDB file that does not exist is created (the pipeline and deploy build their warehouse);
    with `create=False` (queries, EXECs) it raises `WarehouseMissing` instead, so a mistyped path
    never becomes an empty warehouse. A DuckDB file another process has open raises
    `WarehouseBusy`. SQL Server databases are never created, whatever `create` says.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise ConnectError(f"not a database URL: {url!r} (expected duckdb:///path or mssql+pyodbc://...)") from error
    if parsed.drivername == "duckdb":
        from warehouse.duckdb_engine import DuckDBEngine

        return DuckDBEngine(parsed.database or ":memory:", url, create=create)
    if parsed.drivername == "mssql+pyodbc":
        from warehouse.mssql_engine import SqlServerEngine

        return SqlServerEngine(url)
    raise ConnectError(f"unsupported warehouse URL scheme {parsed.drivername!r}: use duckdb:/// or mssql+pyodbc://")
