"""Errors the engine raises. `UsageError`s are the caller's to fix (bad URL, name, parameter,
SQL outside the subset or that the database rejects, a warehouse file that is missing or busy);
`ProcedureError` is an error raised by the database while running."""

from __future__ import annotations

import re

from core.errors import UserError

# A THROW message that starts with `schema.Name: ` speaks in that procedure's name
# (etl.CheckBatch checks a batch for its caller); an empty name leaves only ": ".
_SPOKEN_FOR = re.compile(r"([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)?: ")
_FIRST_USER_ERROR = 50000  # THROW numbers; below are the database's own errors


class WarehouseError(Exception):
    """Base class of every error raised by the warehouse package."""


class UsageError(WarehouseError, UserError):
    """The request cannot be run as given; the message says what to change."""


class ConnectError(UsageError):
    pass


class WarehouseMissing(ConnectError):
    """`connect(url, create=False)` on a DuckDB file that does not exist: queries never create one."""

    def __init__(self, path: str):
        self.path = path
        super().__init__(f"no warehouse at {path}: the file does not exist (deploying creates it)")

    def __reduce__(self):
        return type(self), (self.path,)


class WarehouseBusy(ConnectError):
    """Another process has the DuckDB file open: DuckDB lets one process open a file at a time.
    `pid` and `program` are the holder's, as DuckDB reports them (None when it does not say)."""

    def __init__(self, path: str, pid: int | None = None, program: str | None = None):
        self.path, self.pid, self.program = path, pid, program
        holder = ", ".join(part for part in (f"PID {pid}" if pid is not None else "", program or "") if part)
        super().__init__(
            f"the warehouse {path} is busy: another process has it open{f' ({holder})' if holder else ''}; try again when it has finished"
        )

    def __reduce__(self):
        return type(self), (self.path, self.pid, self.program)


class InvalidSql(UsageError):
    """The database rejects the caller's statement before running it: an unknown table, column or
    function, or text it cannot parse."""


class UnknownProcedure(UsageError):
    pass


class ParameterError(UsageError):
    pass


class SqlRefused(UsageError):
    """T-SQL outside the supported subset, with where it is and what to write instead."""

    def __init__(self, problem: str, *, line: int | None = None, file: str | None = None, instead: str = ""):
        self.problem, self.line, self.file, self.instead = problem, line, file, instead
        super().__init__(self._text())

    def located(self, file: str, first_line: int = 1) -> SqlRefused:
        """The same refusal placed in a file, its line shifted by the batch's first line."""
        line = (self.line or 1) + first_line - 1
        return SqlRefused(self.problem, line=line, file=self.file or file, instead=self.instead)

    def _text(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file else (f"line {self.line}: " if self.line else "")
        return f"{where}{self.problem}" + (f" - write instead: {self.instead}" if self.instead else "")


class ProcedureError(WarehouseError):
    """An error raised while running SQL: `THROW number, message` or the engine's own error.

    `message` is the text as raised and `procedure` the procedure that raised it. The error reads
    `heading: detail`, e.g. `error 50101 in etl.BuildWarehouse: @batch_id is required.`: a THROW
    message starting with `schema.Name: ` is spoken in that procedure's name (the shared
    etl.CheckBatch speaks for its caller), the same on both engines.
    """

    def __init__(self, message: str, number: int | None = None, procedure: str | None = None):
        self.message, self.number, self.procedure = message, number, procedure
        speaker, self.detail = procedure, message
        if number is not None and number >= _FIRST_USER_ERROR and (spoken := _SPOKEN_FOR.match(message)):
            speaker, self.detail = spoken.group(1) or procedure, message[spoken.end() :]
        self.heading = ("error" if number is None else f"error {number}") + (f" in {speaker}" if speaker else "")
        super().__init__(f"{self.heading}: {self.detail}")
