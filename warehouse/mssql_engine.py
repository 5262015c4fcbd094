"""The production engine: SQL Server (2019+, Azure SQL) through SQLAlchemy + pyodbc.

The files are sent as written, batch by batch; procedures run as `EXEC @rc = schema.Proc
@p = ?` with bound values. pyodbc is imported by SQLAlchemy's dialect only when an engine is
created, so machines without an ODBC driver can still use DuckDB.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext

import pandas as pd
import pyarrow as pa
from sqlalchemy import create_engine

from warehouse.engine import Engine, checked_columns, checked_table_name
from warehouse.errors import ConnectError, InvalidSql, ParameterError, ProcedureError, UnknownProcedure
from warehouse.results import ProcedureResult, frame_from_cursor
from warehouse.sql_files import DEPLOY_FOLDERS, SQL_SERVER_ONLY_FOLDERS, SqlFile, SqlObject
from warehouse.tsql.batches import SqlBatch
from warehouse.tsql.tokens import Kind, tokenize

log = logging.getLogger(__name__)
BULK_LOAD_CHUNK_ROWS = 10_000
_ERROR_NUMBER = re.compile(r"\((\d+)\)(?: \(SQL\w+\))?\s*$")
_ODBC_PREFIX = re.compile(r"^(\[[^\]]*\])+")
# Compile errors of a query: syntax (102, 105, 156), unknown or ambiguous names (195, 207, 208,
# 209, 4104, 4121), a column outside GROUP BY (8120) - the caller's to fix, as on DuckDB.
_REJECTED_QUERY_ERRORS = frozenset({102, 105, 156, 195, 207, 208, 209, 4104, 4121, 8120})


class SqlServerEngine(Engine):
    deploy_folders = DEPLOY_FOLDERS + SQL_SERVER_ONLY_FOLDERS  # + the row-level security policy

    def __init__(self, url: str):
        self.url = url
        try:
            self._engine = create_engine(url, fast_executemany=True)
            self._connection = self._engine.raw_connection()
        except Exception as error:
            hint = (
                "install unixODBC and Microsoft ODBC Driver 18 for SQL Server (see docs/engine.md)"
                if isinstance(error, ImportError)
                else "check the server, database, credentials and driver in the warehouse URL"
            )
            raise ConnectError(f"cannot connect to SQL Server: {error}. To fix: {hint}.") from error
        self._connection.driver_connection.autocommit = True  # transactions are explicit, as in T-SQL

    def execute(self, procedure: str, /, **parameters: object) -> ProcedureResult:
        schema, name = checked_table_name(procedure)
        declared = self._parameters_of(procedure)
        given = {name.lstrip("@").lower(): value for name, value in parameters.items()}
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise ParameterError(f"@{unknown[0]} is not a parameter for procedure {procedure}.")
        arguments = ", ".join(f"@{declared[name]} = ?" for name in given)
        batch = f"SET NOCOUNT ON; DECLARE @return_code INT; EXEC @return_code = [{schema}].[{name}] {arguments}; SELECT @return_code AS return_code;"
        with self._cursor() as cursor:
            cursor.execute(batch, *given.values())
            result_sets = []
            while True:
                if cursor.description is not None:
                    result_sets.append(frame_from_cursor(cursor))
                if not cursor.nextset():
                    break
        return_code = int(result_sets.pop().return_code[0])
        return ProcedureResult(return_code, result_sets)

    def query(self, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
        text, values = _positional(sql, {k.lstrip("@").lower(): v for k, v in (params or {}).items()})
        try:
            with self._cursor() as cursor:
                cursor.execute(text, *values)
                return frame_from_cursor(cursor)
        except ProcedureError as error:
            if error.number in _REJECTED_QUERY_ERRORS:
                raise InvalidSql(f"{error.message} (SQL Server error {error.number})") from error
            raise

    def bulk_load(self, table: str, frame: pd.DataFrame | pa.Table) -> int:
        schema, name = checked_table_name(table)
        if isinstance(frame, pa.Table):
            frame = frame.to_pandas()
        columns = checked_columns(frame.columns)
        insert = f"INSERT INTO [{schema}].[{name}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({', '.join('?' * len(columns))})"
        rows = frame.astype(object).where(frame.notna(), None)
        with self._cursor() as cursor:
            cursor.fast_executemany = True
            for start in range(0, len(rows), BULK_LOAD_CHUNK_ROWS):
                chunk = rows.iloc[start : start + BULK_LOAD_CHUNK_ROWS]
                cursor.executemany(insert, list(chunk.itertuples(index=False, name=None)))
        return len(frame)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._cursor() as cursor:
            cursor.execute("BEGIN TRANSACTION;")
        try:
            yield
        except BaseException:
            with self._cursor() as cursor:
                cursor.execute("IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;")
            raise
        with self._cursor() as cursor:
            cursor.execute("COMMIT TRANSACTION;")

    def close(self) -> None:
        self._connection.close()
        self._engine.dispose()

    # -- deploy --------------------------------------------------------------------------------
    def _deploying(self):
        return nullcontext()  # each batch commits on its own, as with sqlcmd

    def _exists(self, sql_object: SqlObject) -> bool:
        if sql_object.kind == "schema":
            sql, args = "SELECT CASE WHEN SCHEMA_ID(?) IS NULL THEN 0 ELSE 1 END", [sql_object.name]
        elif sql_object.kind == "index":
            sql = "SELECT COUNT(*) FROM sys.indexes WHERE name = ? AND object_id = OBJECT_ID(?)"
            args = [sql_object.name, sql_object.table]
        elif sql_object.kind == "role":
            sql, args = "SELECT COUNT(*) FROM sys.database_principals WHERE name = ?", [sql_object.name]
        elif sql_object.kind == "policy":
            sql, args = "SELECT COUNT(*) FROM sys.security_policies WHERE object_id = OBJECT_ID(?)", [sql_object.name]
        else:
            sql, args = "SELECT CASE WHEN OBJECT_ID(?) IS NULL THEN 0 ELSE 1 END", [sql_object.name]
        with self._cursor() as cursor:
            return cursor.execute(sql, *args).fetchone()[0] > 0

    def _deploy_batch(self, sql_file: SqlFile, batch: SqlBatch) -> None:
        with self._cursor() as cursor:
            cursor.execute(batch.text)
            while cursor.nextset():  # drain: an error in a later statement surfaces here
                pass

    # -- helpers -------------------------------------------------------------------------------
    def _parameters_of(self, procedure: str) -> dict[str, str]:
        """Declared parameter names of a procedure (lower case -> as declared, without @)."""
        with self._cursor() as cursor:
            if cursor.execute("SELECT OBJECT_ID(?, 'P')", procedure).fetchone()[0] is None:
                raise UnknownProcedure(f"Could not find stored procedure '{procedure}'. Deploy first, or check the name.")
            rows = cursor.execute("SELECT name FROM sys.parameters WHERE object_id = OBJECT_ID(?, 'P')", procedure).fetchall()
        return {row[0].lstrip("@").lower(): row[0].lstrip("@") for row in rows}

    @contextmanager
    def _cursor(self):
        cursor = self._connection.cursor()
        try:
            yield cursor
        except self._dbapi_error() as error:
            raise _procedure_error(error) from error
        finally:
            cursor.close()

    def _dbapi_error(self) -> type[Exception]:
        return self._engine.dialect.loaded_dbapi.Error


def _positional(sql: str, params: Mapping[str, object]) -> tuple[str, list[object]]:
    """`@name` -> `?` (pyodbc binds by position); strings and comments are left alone."""
    pieces, values, position = [], [], 0
    for token in tokenize(sql):
        if token.kind is Kind.VARIABLE and not token.text.startswith("@@"):
            name = token.text[1:].lower()
            if name not in params:
                raise ParameterError(f"no value given for @{name}")
            pieces.append(sql[position : token.start] + "?")
            values.append(params[name])
            position = token.end
    return "".join(pieces) + sql[position:], values


def _procedure_error(error: Exception) -> ProcedureError:
    """pyodbc's message ends with the SQL Server error number: '...[SQL Server]text (50001) (SQLExecDirectW)'."""
    message = str(error.args[1] if len(error.args) > 1 else error)
    match = _ERROR_NUMBER.search(message)
    text = _ODBC_PREFIX.sub("", message[: match.start()] if match else message).strip()
    return ProcedureError(text, int(match.group(1)) if match else None)
