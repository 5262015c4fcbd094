"""A DuckDB connection that behaves like a SQL Server session with XACT_ABORT ON.

DuckDB cannot nest transactions and, after an error, refuses every statement until ROLLBACK.
The session counts @@TRANCOUNT itself, opens the real transaction on the first BEGIN and
commits it on the last COMMIT; any error inside a transaction rolls it back at once (the
transaction is then "doomed" until the procedure's ROLLBACK, as XACT_ABORT does).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import duckdb

from warehouse.errors import InvalidSql, ProcedureError

# SQL Server's numbers for the errors a DuckDB statement can raise in the subset.
_ERROR_NUMBERS = (
    (re.compile(r"duplicate key", re.IGNORECASE), 2627),
    (re.compile(r"NOT NULL constraint"), 515),
    (re.compile(r"foreign key", re.IGNORECASE), 547),
    (re.compile(r"Divide by zero"), 8134),
    (re.compile(r"^Conversion Error"), 245),
)


# What the caller wrote wrong, not an error while running: an unknown table or function is so
# everywhere; an unknown column or unparsable text only in the caller's own statement (a query).
_REJECTED = (duckdb.CatalogException,)
_REJECTED_STATEMENT = (duckdb.CatalogException, duckdb.BinderException, duckdb.ParserException)


def one_line(error: duckdb.Error | str) -> str:
    """DuckDB's message on one line: without the `LINE n:` excerpt of the translated SQL (the
    caller never wrote it), its other lines (`Did you mean ...`, candidates) joined."""
    text = str(error).split("\n\nLINE")[0]
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def procedure_error(error: duckdb.Error, procedure: str | None = None) -> ProcedureError:
    message = one_line(error)
    number = next((n for pattern, n in _ERROR_NUMBERS if pattern.search(message)), None)
    return ProcedureError(message, number, procedure)


class Session:
    def __init__(self, connection: duckdb.DuckDBPyConnection):
        self.connection = connection
        self.trancount = 0
        self.doomed = False  # an error rolled the real transaction back; waiting for ROLLBACK

    def run(self, sql: str, parameters: Mapping[str, object] | None = None, *, callers_statement: bool = False) -> duckdb.DuckDBPyConnection:
        """Run one DuckDB statement; an error dooms the open transaction (XACT_ABORT ON).
        `callers_statement`: the statement is the caller's own (a query), so DuckDB refusing to
        bind or parse it is an InvalidSql for the caller to fix, not a ProcedureError."""
        try:
            return self.connection.execute(sql, dict(parameters or {}))
        except duckdb.Error as error:
            self.abort()
            if isinstance(error, _REJECTED_STATEMENT if callers_statement else _REJECTED):
                raise InvalidSql(one_line(error)) from error
            raise procedure_error(error) from error

    def begin(self) -> None:
        if self.trancount == 0:
            self.connection.execute("BEGIN TRANSACTION")
        self.trancount += 1

    def commit(self) -> None:
        if self.trancount == 0:
            raise ProcedureError("The COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION.", 3902)
        if self.doomed:
            raise ProcedureError("The current transaction cannot be committed. Roll back the transaction.", 3930)
        self.trancount -= 1
        if self.trancount == 0:
            self.connection.execute("COMMIT")

    def rollback(self) -> None:
        """ROLLBACK TRANSACTION ends every nesting level at once, as on SQL Server."""
        if self.trancount == 0:
            raise ProcedureError("The ROLLBACK TRANSACTION request has no corresponding BEGIN TRANSACTION.", 3903)
        if not self.doomed:
            self.connection.execute("ROLLBACK")
        self.trancount, self.doomed = 0, False

    def abort(self) -> None:
        """XACT_ABORT: an error rolls back the whole open transaction immediately."""
        if self.trancount and not self.doomed:
            self.connection.execute("ROLLBACK")
            self.doomed = True

    def end_batch_after_error(self) -> None:
        """An error that leaves the outermost call ends the doomed transaction too."""
        self.abort()
        self.trancount, self.doomed = 0, False
