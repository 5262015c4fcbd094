"""The T-SQL subset: constructs refused on sight, each with what to write instead.

These are checked on tokens, so the message points at the exact line. Type refusals live in
`types.py` and the ones that need the statement's syntax tree in `rewrites.py`.
"""

from __future__ import annotations

from collections.abc import Iterable

from warehouse.errors import SqlRefused
from warehouse.tsql.tokens import Kind, Token

_SET_BASED = "one set-based statement (INSERT...SELECT, MERGE, UPDATE...FROM)"
_NOW = "SYSUTCDATETIME() (DATETIME2, UTC)"

# word (upper case) -> (what is refused, what to write instead)
REFUSED_WORDS: dict[str, tuple[str, str]] = {
    "ISNULL": ("ISNULL (typed as its first argument, so it silently truncates)", "COALESCE(a, b)"),
    "WHILE": ("WHILE loops", _SET_BASED),
    "CURSOR": ("cursors", _SET_BASED),
    "GOTO": ("GOTO", "IF cond BEGIN ... END"),
    "WAITFOR": ("WAITFOR", "scheduling in the orchestrator"),
    "RAISERROR": ("RAISERROR", "THROW 50001, N'message', 1;"),
    "SCOPE_IDENTITY": ("SCOPE_IDENTITY()", "select the new row back by its business key"),
    "@@IDENTITY": ("@@IDENTITY", "select the new row back by its business key"),
    "IDENT_CURRENT": ("IDENT_CURRENT()", "select the new row back by its business key"),
    "SP_EXECUTESQL": ("dynamic SQL", "static statements with bound parameters"),
    "OUTPUT": ("OUTPUT clauses and OUTPUT parameters", "a final SELECT that returns the values as a result set"),
    "GETDATE": ("GETDATE() (returns DATETIME)", _NOW),
    "GETUTCDATE": ("GETUTCDATE() (returns DATETIME)", _NOW),
    "SYSDATETIME": ("SYSDATETIME() (server local time)", _NOW),
    "CURRENT_TIMESTAMP": ("CURRENT_TIMESTAMP (returns DATETIME)", _NOW),
    "TRY_CAST": ("TRY_CAST (hides bad data)", "CAST, after validating the input in staging"),
    "TRY_CONVERT": ("TRY_CONVERT (hides bad data)", "CONVERT, after validating the input in staging"),
    "FORMAT": ("FORMAT() (CLR, culture dependent)", "CONVERT(NVARCHAR(n), value, style) or CONCAT"),
    "DATENAME": ("DATENAME() (language dependent)", "a lookup on DATEPART(month, d)"),
    "NOLOCK": ("NOLOCK hints", "no hint"),
    "APPLY": ("CROSS/OUTER APPLY", "a JOIN on a derived table or a window function"),
    "PIVOT": ("PIVOT", "SUM(CASE WHEN ... THEN ... END) per column"),
    "UNPIVOT": ("UNPIVOT", "UNION ALL of the columns"),
    "ERROR_MESSAGE": ("ERROR_*() functions", "the fixed CATCH template: IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION; THROW;"),
    "ERROR_NUMBER": ("ERROR_*() functions", "the fixed CATCH template: IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION; THROW;"),
}
_WEEKDAY_PARTS = {"WEEKDAY", "DW", "W"}


def check_tokens(tokens: Iterable[Token]) -> None:
    """Refuse the first construct outside the subset, naming its line."""
    tokens = list(tokens)
    for index, token in enumerate(tokens):
        if token.kind in (Kind.WORD, Kind.VARIABLE) and token.upper in REFUSED_WORDS:
            what, instead = REFUSED_WORDS[token.upper]
            raise SqlRefused(f"{what} is outside the T-SQL subset", line=token.line, instead=instead)
        if token.kind is Kind.WORD and token.text.startswith("#"):
            raise SqlRefused("temporary tables are outside the T-SQL subset", line=token.line, instead="a stg.* table or a CTE")
        if token.is_word("EXEC", "EXECUTE") and index + 1 < len(tokens) and tokens[index + 1].is_symbol("("):
            raise SqlRefused("dynamic SQL (EXEC of a string)", line=token.line, instead="static statements with bound parameters")
        if token.is_word("SAVE") and index + 1 < len(tokens) and tokens[index + 1].is_word("TRAN", "TRANSACTION"):
            raise SqlRefused("savepoints", line=token.line, instead="one transaction per procedure")
        if token.is_word("WITH") and index + 1 < len(tokens) and tokens[index + 1].is_word("TIES"):
            raise SqlRefused("TOP ... WITH TIES", line=token.line, instead="ORDER BY a unique key, or RANK() in a CTE")
        if token.is_word("DATEPART") and _first_argument(tokens, index) in _WEEKDAY_PARTS:
            raise SqlRefused(
                "DATEPART(weekday) (depends on @@DATEFIRST)",
                line=token.line,
                instead="DATEDIFF(day, '19000101', d) % 7 (0 = Monday)",
            )


def _first_argument(tokens: list[Token], index: int) -> str | None:
    if index + 2 < len(tokens) and tokens[index + 1].is_symbol("("):
        return tokens[index + 2].upper
    return None
