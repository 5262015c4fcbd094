"""The engine API the product uses, whichever database is behind it."""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path

import pandas as pd
import pyarrow as pa

from warehouse.errors import ProcedureError, SqlRefused, UsageError
from warehouse.results import ProcedureResult
from warehouse.sql_files import DEPLOY_FOLDERS, SqlFile, SqlObject, deployment_order
from warehouse.tsql.batches import SqlBatch

log = logging.getLogger(__name__)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_QUALIFIED_NAME = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)")


class Engine(ABC):
    """A warehouse connection: deploy `sql/`, run procedures and queries, bulk-load staging."""

    url: str
    deploy_folders: tuple[str, ...] = DEPLOY_FOLDERS

    def deploy(self, sql_root: Path | str | None = None) -> list[str]:
        """Deploy `sql/schema`, `sql/procedures` (and on SQL Server `sql/sqlserver`) in dependency
        order; returns the files run.

        Idempotent: CREATE OR ALTER objects are always re-run; a file creating an object that
        already exists (schema, table, index) is skipped whole, extended properties included.
        """
        deployed = []
        with self._deploying():
            for sql_file in deployment_order(Path(sql_root) if sql_root else None, self.deploy_folders):
                if sql_file.defines and not sql_file.replaceable and self._exists(sql_file.defines):
                    log.debug("skipped %s: %s %s exists", sql_file.relative, sql_file.defines.kind, sql_file.defines.name)
                    continue
                for batch in sql_file.batches:
                    try:
                        self._deploy_batch(sql_file, batch)
                    except SqlRefused as refused:
                        raise SqlRefused(refused.problem, line=refused.line, file=sql_file.relative, instead=refused.instead) from refused
                    except ProcedureError as error:
                        raise ProcedureError(f"{sql_file.relative}:{batch.line}: {error.message}", error.number) from error
                deployed.append(sql_file.relative)
                log.debug("deployed %s", sql_file.relative)
        return deployed

    @abstractmethod
    def execute(self, procedure: str, /, **parameters: object) -> ProcedureResult:
        """EXEC schema.Procedure @name = value, ... with every value bound as a parameter."""

    @abstractmethod
    def query(self, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
        """Run one T-SQL statement; `@name` in the text is bound from `params`."""

    @abstractmethod
    def bulk_load(self, table: str, frame: pd.DataFrame | pa.Table) -> int:
        """Append a DataFrame or Arrow table to `schema.table` (columns by name); returns rows."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """BEGIN TRANSACTION ... COMMIT, or ROLLBACK when the block raises; nests like T-SQL."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def _exists(self, sql_object: SqlObject) -> bool: ...

    @abstractmethod
    def _deploy_batch(self, sql_file: SqlFile, batch: SqlBatch) -> object: ...

    @abstractmethod
    def _deploying(self) -> AbstractContextManager[None]:
        """What a whole deploy runs inside (one transaction on DuckDB)."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"


def checked_table_name(table: str) -> tuple[str, str]:
    """`schema.table` as two plain identifiers: names are spliced into SQL, so they are checked."""
    match = _QUALIFIED_NAME.fullmatch(table)
    if match is None:
        raise UsageError(f"table must be written schema.table with plain names, got {table!r}")
    return match.group(1), match.group(2)


def checked_columns(columns: Iterable[object]) -> list[str]:
    names = [str(c) for c in columns]
    bad = [c for c in names if not _NAME.fullmatch(c)]
    if bad:
        raise UsageError(f"column names must be plain identifiers, got {bad}")
    return names
