"""Errors the engine raises. `UsageError`s are the caller's to fix (bad URL, name, parameter or
SQL outside the subset); `ProcedureError` is an error raised by the database while running."""

from __future__ import annotations

from core.errors import UserError


class WarehouseError(Exception):
    """Base class of every error raised by the warehouse package."""


class UsageError(WarehouseError, UserError):
    """The request cannot be run as given; the message says what to change."""


class ConnectError(UsageError):
    pass


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
    """An error raised while running SQL: `THROW number, message` or the engine's own error."""

    def __init__(self, message: str, number: int | None = None, procedure: str | None = None):
        self.message, self.number, self.procedure = message, number, procedure
        prefix = f"error {number}" if number is not None else "error"
        super().__init__(f"{prefix}{f' in {procedure}' if procedure else ''}: {message}")
