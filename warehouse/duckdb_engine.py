"""The embedded engine: the project's T-SQL run on DuckDB through the `warehouse.tsql` adapter."""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
from sqlglot import exp

from warehouse.engine import Engine, checked_columns, checked_table_name
from warehouse.errors import (
    ConnectError,
    ParameterError,
    ProcedureError,
    SqlRefused,
    UnknownProcedure,
    WarehouseBusy,
    WarehouseError,
    WarehouseMissing,
)
from warehouse.results import ProcedureResult, frame_from_cursor
from warehouse.sql_files import SqlFile, SqlObject, deployment_order
from warehouse.tsql.batches import SqlBatch, split_batches
from warehouse.tsql.macros import TSQL_MACROS
from warehouse.tsql.procedure import is_procedure, parse_procedure
from warehouse.tsql.runtime import CompiledProcedure, Runtime, compile_procedure
from warehouse.tsql.server_only import server_only_reason
from warehouse.tsql.session import Session, one_line
from warehouse.tsql.translate import Translated, Translator
from warehouse.tsql.typing import Catalog

log = logging.getLogger(__name__)

# Deployed procedure sources live in the warehouse file, so another process can EXEC them.
_PROCEDURE_STORE = "tsql_adapter.procedure_source"
_MAX_CACHED_TRANSLATIONS = 256
_SESSION_SETTINGS = (
    "SET default_collation = 'nocase'",  # SQL Server's default collation is case-insensitive
    "SET default_null_order = 'nulls_first_on_asc_last_on_desc'",  # NULL sorts lowest, as on SQL Server
)
_SQL_TYPE_OF_PYTHON = (
    (bool, "BIT"),
    (int, "BIGINT"),
    (decimal.Decimal, "DECIMAL(38, 10)"),
    (str, "NVARCHAR(MAX)"),
    (dt.datetime, "DATETIME2(6)"),
    (dt.date, "DATE"),
    (type(None), "NVARCHAR(MAX)"),
)
# 'IO Error: Could not set lock on file "...": Conflicting lock is held in /usr/bin/python3 (PID 123) by user ...'
_LOCK_CONFLICT = re.compile(r"Could not set lock on file")
_LOCK_HOLDER = re.compile(r"held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


class DuckDBEngine(Engine):
    def __init__(self, database: str, url: str | None = None, *, create: bool = True):
        self.url = url or f"duckdb:///{database}"
        self.connection = _open(database, create)
        for statement in (*_SESSION_SETTINGS, *TSQL_MACROS):
            self.connection.execute(statement)
        self.session = Session(self.connection)
        self.runtime = Runtime(self.session, self._compiled_procedure)
        self._catalog: Catalog | None = None
        # Translating T-SQL costs ~10 ms; a repeated query (a dashboard's customer lookup) reuses it.
        self._translations: dict[tuple, Translated] = {}
        self._procedures: dict[str, CompiledProcedure] = {}

    # -- the engine API ------------------------------------------------------------------------
    def execute(self, procedure: str, /, **parameters: object) -> ProcedureResult:
        try:
            return self.runtime.call(procedure, parameters)
        except WarehouseError:
            self.session.end_batch_after_error()
            raise

    def query(self, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
        params = {name.lstrip("@").lower(): value for name, value in (params or {}).items()}
        variables = {name: _sql_type_of(name, value) for name, value in params.items()}
        key = (sql, tuple(sorted((name, sql_type.sql()) for name, sql_type in variables.items())))
        translated = self._translations.get(key)
        if translated is None:
            if len(self._translations) >= _MAX_CACHED_TRANSLATIONS:
                self._translations.clear()
            translated = self._translations[key] = self.translator.statement(sql, 1, variables)
        bound = {name: params[name] for name in translated.parameters if name in params}
        cursor = self.session.run(translated.sql, bound, callers_statement=True)
        return frame_from_cursor(cursor) if translated.returns_rows else pd.DataFrame()

    def bulk_load(self, table: str, frame: pd.DataFrame | pa.Table) -> int:
        schema, name = checked_table_name(table)
        columns = ", ".join(f'"{c}"' for c in checked_columns(frame.column_names if isinstance(frame, pa.Table) else frame.columns))
        self.connection.complete()  # a result left unread (e.g. by fetchone) would make register() fail
        self.connection.register("bulk_load_source", frame)
        try:
            self.session.run(f'INSERT INTO "{schema}"."{name}" ({columns}) SELECT {columns} FROM bulk_load_source')
        finally:
            self.connection.unregister("bulk_load_source")
        return frame.num_rows if isinstance(frame, pa.Table) else len(frame)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.session.begin()
        try:
            yield
        except BaseException:
            if self.session.trancount:
                self.session.end_batch_after_error()
            raise
        self.session.commit()

    def close(self) -> None:
        self.connection.close()

    # -- deploy --------------------------------------------------------------------------------
    @contextmanager
    def _deploying(self) -> Iterator[None]:
        self._create_procedure_store()
        with self.transaction():  # a deploy that fails leaves the warehouse as it was
            yield
        self._forget_catalog()
        self._procedures.clear()

    def _create_procedure_store(self) -> None:
        self.connection.execute(f"CREATE SCHEMA IF NOT EXISTS {_PROCEDURE_STORE.split('.')[0]}")
        self.connection.execute(
            f"CREATE TABLE IF NOT EXISTS {_PROCEDURE_STORE} (name VARCHAR PRIMARY KEY, file VARCHAR, source VARCHAR, line INTEGER)"
        )

    def _exists(self, sql_object: SqlObject) -> bool:
        kind, parts = sql_object.kind, sql_object.name.lower().split(".")
        if kind == "schema":
            sql, args = "SELECT count(*) FROM duckdb_schemas() WHERE schema_name = ?", [parts[-1]]
        elif kind in ("table", "view"):
            sql = (
                "SELECT count(*) FROM (SELECT schema_name, table_name FROM duckdb_tables() "
                "UNION ALL SELECT schema_name, view_name FROM duckdb_views()) WHERE schema_name = ? AND table_name = ?"
            )
            args = parts[-2:]
        elif kind == "index":
            sql, args = "SELECT count(*) FROM duckdb_indexes() WHERE index_name = ?", [parts[-1]]
        else:
            return False  # SQL-Server-only objects are skipped batch by batch
        return self.connection.execute(sql, args).fetchone()[0] > 0

    def check(self, sql_root: Path | str | None = None) -> dict[str, list[SqlRefused]]:
        """The static gate: deploy every file into this (scratch) warehouse, collecting what is
        refused instead of stopping, and have DuckDB bind (PREPARE) every translated statement
        of every procedure, so unknown columns and functions are found without running them."""
        self._create_procedure_store()
        problems: dict[str, list[SqlRefused]] = {}
        for sql_file in deployment_order(Path(sql_root) if sql_root else None):
            found = problems.setdefault(sql_file.relative, [])
            for batch in sql_file.batches:
                try:
                    compiled = self._deploy_batch(sql_file, batch)
                    for line, translated in compiled.statements if compiled else ():
                        self._bind(translated, line)
                except SqlRefused as refused:
                    found.append(SqlRefused(refused.problem, line=refused.line, file=sql_file.relative, instead=refused.instead))
                except ProcedureError as error:
                    found.append(SqlRefused(f"DuckDB rejects the translation: {error.message}", line=batch.line, file=sql_file.relative))
        return problems

    def _bind(self, translated, line: int) -> None:
        try:
            self.connection.execute(f"PREPARE static_gate AS {translated.sql}")
            self.connection.execute("DEALLOCATE static_gate")
        except duckdb.Error as error:
            message = str(error).split("\n")[0]
            if "not a preparable statement" in message:
                return  # DuckDB cannot PREPARE a MERGE: it is bound when it first runs
            raise SqlRefused(f"DuckDB cannot bind the translated statement: {message}", line=line) from error

    def _deploy_batch(self, sql_file: SqlFile, batch: SqlBatch) -> CompiledProcedure | None:
        reason = server_only_reason(batch.tokens)
        if reason is not None:
            log.debug("skipped SQL-Server-only %s in %s:%d", reason, sql_file.relative, batch.line)
        elif is_procedure(batch):
            procedure = parse_procedure(batch)
            compiled = self._procedures[procedure.name.lower()] = compile_procedure(procedure, self.translator)
            self.session.run(
                f"INSERT OR REPLACE INTO {_PROCEDURE_STORE} VALUES ($name, $file, $source, $line)",
                {"name": procedure.name.lower(), "file": sql_file.relative, "source": batch.text, "line": batch.line},
            )
            return compiled
        else:
            for statement in self.translator.ddl(batch.text, batch.line):
                self.session.run(statement)
            self._forget_catalog()
        return None

    # -- the adapter's view of the warehouse ---------------------------------------------------
    @property
    def translator(self) -> Translator:
        if self._catalog is None:
            self._catalog = self._read_catalog()
        return Translator(self._catalog)

    def _forget_catalog(self) -> None:
        """After DDL: tables and columns changed, so cached translations may be stale."""
        self._catalog = None
        self._translations.clear()

    def _read_catalog(self) -> Catalog:
        catalog: dict[str, dict[str, dict[str, exp.DataType]]] = {}
        rows = self.connection.execute("SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() WHERE NOT internal").fetchall()
        for schema, table, column, data_type in rows:
            parsed = exp.DataType.build(data_type, dialect="duckdb", udt=True)
            catalog.setdefault(schema.lower(), {}).setdefault(table.lower(), {})[column.lower()] = parsed
        return catalog

    def _compiled_procedure(self, name: str) -> CompiledProcedure:
        key = name.lower()
        if key not in self._procedures:
            row = None
            if self.connection.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'tsql_adapter'").fetchone()[0]:
                row = self.connection.execute(f"SELECT source, line, file FROM {_PROCEDURE_STORE} WHERE name = ?", [key]).fetchone()
            if row is None:
                raise UnknownProcedure(f"Could not find stored procedure '{name}'. Deploy first, or check the name.")
            source, line, file = row
            batch = split_batches("\n" * (line - 1) + source)[0]  # keep the file's line numbers
            try:
                self._procedures[key] = compile_procedure(parse_procedure(batch), self.translator)
            except SqlRefused as refused:
                raise SqlRefused(refused.problem, line=refused.line, file=file, instead=refused.instead) from refused
        return self._procedures[key]


def _open(database: str, create: bool) -> duckdb.DuckDBPyConnection:
    """The DuckDB connection; a missing file (with `create=False`), a file another process holds
    or one that is not a DuckDB database is a one-line ConnectError naming the file."""
    if database == ":memory:":
        return duckdb.connect(database)
    path = Path(database)
    if not path.exists():
        if not create:
            raise WarehouseMissing(str(path.absolute()))
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(database)
    except duckdb.IOException as error:
        message = str(error)
        if _LOCK_CONFLICT.search(message):
            holder = _LOCK_HOLDER.search(message)
            raise WarehouseBusy(str(path.absolute()), int(holder["pid"]) if holder else None, holder["program"] if holder else None) from error
        raise ConnectError(f"cannot open the DuckDB warehouse {path.absolute()}: {one_line(message)}") from error


def _sql_type_of(name: str, value: object) -> exp.DataType:
    for python_type, sql_type in _SQL_TYPE_OF_PYTHON:
        if isinstance(value, python_type):
            return exp.DataType.build(sql_type, dialect="tsql")
    raise ParameterError(f"@{name}: cannot bind a {type(value).__name__}; pass int, Decimal, str, bool, date or datetime")
