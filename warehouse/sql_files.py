"""The deployable T-SQL files under a `sql/` folder and the order to deploy them in.

`sql/schema/**.sql` comes first, then `sql/procedures/**.sql`, then - on SQL Server only -
`sql/sqlserver/**.sql` (what DuckDB has no equivalent for: the row-level security policy).
Within each, a file comes after every file whose object it mentions (its schema, a referenced
table, an EXEC'd procedure).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core.paths import SQL_ROOT
from warehouse.errors import SqlRefused, UsageError
from warehouse.tsql.batches import SqlBatch, split_batches
from warehouse.tsql.tokens import Kind, Token, TokenizeError

DEPLOY_FOLDERS = ("schema", "procedures")  # both engines
SQL_SERVER_ONLY_FOLDERS = ("sqlserver",)  # outside the subset: deployed by the SQL Server engine only
_KINDS = {"SCHEMA", "TABLE", "VIEW", "PROCEDURE", "PROC", "FUNCTION", "INDEX", "SEQUENCE", "POLICY", "ROLE"}


@dataclass(frozen=True)
class SqlObject:
    kind: str  # schema, table, view, procedure, function, index, sequence, policy, role
    name: str  # as written, e.g. etl.batch; for an index: its name
    table: str | None = None  # for an index: the table it is on

    @property
    def key(self) -> str:
        return f"{self.table}.{self.name}".lower() if self.table else self.name.lower()


@dataclass(frozen=True)
class SqlFile:
    path: Path
    relative: str  # path relative to the sql root, used in every message
    batches: tuple[SqlBatch, ...]
    defines: SqlObject | None
    replaceable: bool  # CREATE OR ALTER: always re-run; otherwise skipped when the object exists
    mentions: frozenset[str] = field(default_factory=frozenset)


def read_sql_file(path: Path, root: Path) -> SqlFile:
    relative = path.relative_to(root).as_posix()
    try:
        batches = tuple(split_batches(path.read_text(encoding="utf-8")))
    except TokenizeError as error:
        raise SqlRefused(str(error), line=error.line, file=relative) from error
    if not batches:
        raise SqlRefused("empty file", line=1, file=relative, instead="one object per file")
    head = batches[0].tokens
    words = [t.upper for t in head[:8] if t.kind is Kind.WORD]
    return SqlFile(
        path=path,
        relative=relative,
        batches=batches,
        defines=_defined_object(head),
        replaceable=words[:3] == ["CREATE", "OR", "ALTER"],
        mentions=frozenset(_mentioned_names([t for batch in batches for t in batch.tokens])),
    )


def deployment_order(sql_root: Path | None = None, folders: tuple[str, ...] = DEPLOY_FOLDERS) -> list[SqlFile]:
    root = Path(sql_root or SQL_ROOT)
    if not root.is_dir():
        raise UsageError(f"no SQL folder at {root}")
    ordered: list[SqlFile] = []
    for folder in folders:
        files = [read_sql_file(path, root) for path in sorted((root / folder).rglob("*.sql"))]
        ordered.extend(_dependency_order(files, already=ordered))
    return ordered


def _defined_object(tokens: tuple[Token, ...]) -> SqlObject | None:
    words = [t.upper for t in tokens[:8]]
    if not words or words[0] != "CREATE":
        return None
    position = next((i for i, word in enumerate(words) if word in _KINDS), None)
    if position is None:
        return None
    kind = {"PROC": "PROCEDURE"}.get(words[position], words[position]).lower()
    name, after = _qualified_name(tokens, position + 1)
    if kind == "index" and after < len(tokens) and tokens[after].is_word("ON"):
        table, _ = _qualified_name(tokens, after + 1)
        return SqlObject(kind, name, table)
    return SqlObject(kind, name)


def _qualified_name(tokens: tuple[Token, ...], start: int) -> tuple[str, int]:
    parts, position = [], start
    while position < len(tokens):
        token = tokens[position]
        parts.append(token.text[1:-1] if token.kind is Kind.QUOTED else token.text)
        position += 1
        if position < len(tokens) and tokens[position].is_symbol("."):
            position += 1
        else:
            break
    return ".".join(parts), position


def _mentioned_names(tokens: list[Token]) -> set[str]:
    """Every `a` and `a.b` in the code (lower case): candidate references to other files' objects."""
    names = set()
    for index, token in enumerate(tokens):
        if token.kind in (Kind.WORD, Kind.QUOTED):
            name, _ = _qualified_name(tuple(tokens[index : index + 3]), 0)
            names.add(name.lower())
            names.add(name.split(".")[0].lower())
    return names


def _dependency_order(files: list[SqlFile], already: list[SqlFile]) -> list[SqlFile]:
    defined = {f.defines.key: f for f in files if f.defines is not None}
    if len(defined) < sum(f.defines is not None for f in files):
        keys = [f.defines.key for f in files if f.defines is not None]
        duplicate = next(key for key in keys if keys.count(key) > 1)
        raise UsageError(f"{duplicate} is defined by more than one file")

    def needs(file: SqlFile) -> set[str]:
        own = file.defines.key if file.defines else None
        schema = file.defines.name.split(".")[0].lower() if file.defines and "." in file.defines.name else None
        wanted = {name for name in file.mentions if name in defined and name != own}
        return wanted | ({schema} if schema in defined else set())

    ordered, done, pending = [], {f.defines.key for f in already if f.defines}, list(files)
    while pending:
        ready = [f for f in pending if needs(f) <= done]
        if not ready:
            cycle = ", ".join(f.relative for f in pending)
            raise UsageError(f"circular references between {cycle}")
        for file in ready:
            ordered.append(file)
            pending.remove(file)
            if file.defines:
                done.add(file.defines.key)
    return ordered
