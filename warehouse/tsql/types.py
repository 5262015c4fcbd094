"""The T-SQL types of the subset and the DuckDB type each one becomes."""

from __future__ import annotations

from sqlglot import exp

from warehouse.errors import SqlRefused

T = exp.DataType.Type

_SAME = {T.INT: "INTEGER", T.BIGINT: "BIGINT", T.SMALLINT: "SMALLINT", T.UTINYINT: "UTINYINT", T.DATE: "DATE"}
_REFUSED = {
    T.FLOAT: ("FLOAT/REAL (sqlglot maps FLOAT to a 32-bit REAL on DuckDB)", "DECIMAL(p, s)"),
    T.MONEY: ("MONEY", "DECIMAL(19, 4)"),
    T.SMALLMONEY: ("SMALLMONEY", "DECIMAL(10, 4)"),
    T.DATETIME: ("DATETIME (rounds to 1/300 s)", "DATETIME2(0..7)"),
    T.SMALLDATETIME: ("SMALLDATETIME", "DATETIME2(0)"),
    T.CHAR: ("CHAR(n) (pads with trailing spaces)", "NVARCHAR(n)"),
    T.NCHAR: ("NCHAR(n) (pads with trailing spaces)", "NVARCHAR(n)"),
}
SUBSET_TYPES = "INT, BIGINT, SMALLINT, TINYINT, DECIMAL(p, s), NVARCHAR(n | MAX), DATE, DATETIME2(n), BIT"


def duckdb_type(tsql_type: exp.DataType, line: int | None = None) -> exp.DataType:
    """The DuckDB type for a T-SQL type of the subset; anything else is refused."""
    kind = tsql_type.this
    params = [p.sql() for p in tsql_type.expressions]
    if kind in _SAME:
        return exp.DataType.build(_SAME[kind])
    if kind == T.DECIMAL:
        precision, scale = (params + ["18", "0"][len(params) :])[:2]  # T-SQL's default is DECIMAL(18, 0)
        return exp.DataType.build(f"DECIMAL({precision}, {scale})")
    if kind in (T.NVARCHAR, T.VARCHAR):
        if not params:
            raise SqlRefused(f"{kind.value} without a length means length 1 in T-SQL", line=line, instead=f"{kind.value}(n) or {kind.value}(MAX)")
        return exp.DataType.build("VARCHAR")  # DuckDB does not enforce lengths
    if kind == T.TEXT:  # what sqlglot itself casts to, e.g. inside LEN()
        return exp.DataType.build("VARCHAR")
    if kind in (T.DATETIME2, T.TIMESTAMP):
        return exp.DataType.build("TIMESTAMP")
    if kind in (T.BIT, T.BOOLEAN):
        return exp.DataType.build("BOOLEAN")
    what, instead = _REFUSED.get(kind, (f"type {tsql_type.sql('tsql')}", None))
    raise SqlRefused(f"{what} is outside the T-SQL subset", line=line, instead=instead or f"one of {SUBSET_TYPES}")


def parse_type(text: str, line: int | None = None) -> exp.DataType:
    """Parse a T-SQL type name such as `NVARCHAR(100)` or `DECIMAL(18, 2)`."""
    try:
        return exp.DataType.build(text, dialect="tsql")
    except Exception as error:  # sqlglot raises several error types for a bad type
        raise SqlRefused(f"cannot read the type {text!r}: {error}", line=line, instead=f"one of {SUBSET_TYPES}") from error
