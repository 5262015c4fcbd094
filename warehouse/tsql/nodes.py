"""The tree of a parsed T-SQL procedure: its header, typed parameters and control-flow nodes.

`procedure.py` builds it from the procedure's tokens; `runtime.py` walks it. Expressions and SQL
statements stay original text here, translated by `translate.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from warehouse.tsql.server_only import SERVER_ONLY_PROCEDURES


def variable_name(token_text: str) -> str:
    """Variables are case-insensitive, like identifiers under SQL Server's default collation."""
    return token_text.lstrip("@").lower()


@dataclass(frozen=True)
class Node:
    line: int


@dataclass(frozen=True)
class Sql(Node):
    """A statement for sqlglot: SELECT (a result set), INSERT, UPDATE, DELETE, MERGE, TRUNCATE."""

    text: str


@dataclass(frozen=True)
class SelectAssign(Node):
    """`SELECT @a = expr, @b = expr [FROM ...];` - the last row's values are assigned."""

    text: str


@dataclass(frozen=True)
class Declare(Node):
    name: str
    type: exp.DataType
    value: str | None


@dataclass(frozen=True)
class SetVariable(Node):
    name: str
    value: str


@dataclass(frozen=True)
class SetOption(Node):
    option: str  # NOCOUNT or XACT_ABORT: the DuckDB runtime behaves as if both were ON


@dataclass(frozen=True)
class If(Node):
    condition: str
    then: tuple[Node, ...]
    otherwise: tuple[Node, ...] = ()


@dataclass(frozen=True)
class TryCatch(Node):
    body: tuple[Node, ...]
    handler: tuple[Node, ...]


@dataclass(frozen=True)
class Transaction(Node):
    action: str  # begin, commit or rollback


@dataclass(frozen=True)
class Return(Node):
    value: str | None


@dataclass(frozen=True)
class Throw(Node):
    """`THROW number, message, state;` or, inside CATCH, `THROW;` (re-raise)."""

    number: str | None = None
    message: str | None = None
    state: str | None = None


@dataclass(frozen=True)
class Exec(Node):
    procedure: str
    arguments: tuple[tuple[str, str], ...]
    return_variable: str | None = None

    @property
    def server_only(self) -> bool:
        return self.procedure.lower().removeprefix("sys.") in SERVER_ONLY_PROCEDURES


@dataclass(frozen=True)
class Parameter:
    name: str
    type: exp.DataType
    default: str | None  # T-SQL text; None means the caller must pass a value
    line: int


@dataclass(frozen=True)
class Procedure:
    name: str
    parameters: tuple[Parameter, ...]
    body: tuple[Node, ...]
    line: int
