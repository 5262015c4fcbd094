"""Statements that only mean something on SQL Server. The DuckDB engine recognises and skips
them (with a debug log line); the static gate still parses them with sqlfluff."""

from __future__ import annotations

from collections.abc import Sequence

from warehouse.tsql.tokens import Kind, Token

SERVER_ONLY_PROCEDURES = {
    "sp_addextendedproperty": "extended property (a description shown by SSMS and Power BI)",
    "sp_updateextendedproperty": "extended property",
    "sp_dropextendedproperty": "extended property",
    "sp_getapplock": "application lock (DuckDB allows one writing process per file anyway)",
    "sp_releaseapplock": "application lock",
}


def server_only_reason(tokens: Sequence[Token]) -> str | None:
    """Why a batch is SQL-Server-only, or None when DuckDB must run it."""
    words = [t.upper for t in tokens[:12] if t.kind is Kind.WORD]
    head = " ".join(words[:4])
    if head.startswith(("CREATE SECURITY POLICY", "ALTER SECURITY POLICY")):
        return "row-level security policy"
    if words[:1] == ["CREATE"] and "COLUMNSTORE" in words[:4]:
        return "columnstore index"
    if words[:1] == ["CREATE"] and "INDEX" in words[:3] and "UNIQUE" not in words[:3]:
        return "non-unique index (DuckDB prunes with zone maps and needs none)"
    if "FUNCTION" in words[:4] and any(t.is_word("SCHEMABINDING") for t in tokens):
        return "schema-bound inline function (a row-level security predicate)"
    if words[:1] in (["GRANT"], ["DENY"], ["REVOKE"]) or head.startswith(("CREATE ROLE", "ALTER ROLE", "CREATE USER")):
        return "permissions"
    if words[:1] in (["EXEC"], ["EXECUTE"]):
        procedure = next((t.text.lower() for t in tokens[1:4] if t.kind is Kind.WORD and t.text.lower().startswith("sp_")), "")
        return SERVER_ONLY_PROCEDURES.get(procedure)
    return None
