"""Translate one T-SQL statement or expression of the subset into DuckDB SQL.

Pipeline: refuse constructs outside the subset (tokens) -> parse with sqlglot (read='tsql') ->
map types -> replace @variables by typed DuckDB placeholders -> syntax rewrites -> typing ->
type-aware rewrites -> generate (write='duckdb'). Values are never part of the SQL text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from warehouse.errors import SqlRefused
from warehouse.tsql.rewrites import map_types, rewrite_syntax, rewrite_typed
from warehouse.tsql.subset import check_tokens
from warehouse.tsql.tokens import TokenizeError, tokenize
from warehouse.tsql.types import duckdb_type
from warehouse.tsql.typing import STRING_TYPES, Catalog, Types

TRANCOUNT = "__trancount"  # @@TRANCOUNT is bound like a variable, from the runtime's counter
_DML = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.TruncateTable)
_DDL_KINDS = {"SCHEMA", "TABLE", "VIEW", "INDEX", "SEQUENCE"}
_PARSE_HINT = (
    "check that every clause is complete (WHERE needs a condition, = a value, FROM a table), "
    "brackets and quotes are closed and keywords are spelled right"
)
# sqlglot's descriptions name its classes and tokens; what each one means in plain words
_EXPECTING = re.compile(r"^Expecting (?P<what>.+)$")
_EXPECTED = re.compile(r"^Expected (?P<what>.+?)(?: but got .*)?$")
_INTERNALS = re.compile(r"<[^<>]*>")


@dataclass(frozen=True)
class Translated:
    sql: str
    parameters: tuple[str, ...]  # names of the bound variables, in no particular order
    returns_rows: bool


class Translator:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    def statement(self, text: str, line: int = 1, variables: Mapping[str, exp.DataType] | None = None) -> Translated:
        """A query or DML statement (SELECT, INSERT, UPDATE, DELETE, MERGE, TRUNCATE)."""
        tree = self._parse(text, line)
        if not isinstance(tree, (exp.Query, *_DML)):
            raise SqlRefused(
                f"{tree.key.upper()} is not a query or DML statement", line=line, instead="SELECT, INSERT, UPDATE, DELETE, MERGE or TRUNCATE"
            )
        return self._finish(tree, line, variables or {})

    def expression(self, text: str, line: int, variables: Mapping[str, exp.DataType], as_type: exp.DataType | None = None) -> Translated:
        """`SELECT <expression> AS value`, cast to the type of the variable it is assigned to."""
        value = f"CAST(({text}) AS {as_type.sql('tsql')})" if as_type is not None else f"({text})"
        return self._finish(self._parse(f"SELECT {value} AS value", line), line, variables)

    def assignment(self, text: str, line: int, variables: Mapping[str, exp.DataType]) -> tuple[Translated, list[str]]:
        """`SELECT @a = x, @b = y FROM ...` becomes `SELECT CAST(x AS type) AS a, ...`."""
        tree = self._parse(text, line)
        targets: list[str] = []
        projections = []
        for projection in tree.selects:
            if not (isinstance(projection, exp.EQ) and isinstance(projection.this, exp.Parameter)):
                raise SqlRefused("a SELECT that assigns variables must assign every column", line=line, instead="SELECT @a = x, @b = y FROM ...;")
            name = projection.this.name.lower()
            if name not in variables:
                raise SqlRefused(f"Must declare the scalar variable @{name}.", line=line, instead=f"DECLARE @{name} <type>;")
            targets.append(name)
            typed = exp.Cast(this=projection.expression, to=variables[name].copy())
            projections.append(exp.alias_(typed, f"value_{len(targets)}"))
        tree.set("expressions", projections)
        return self._finish(tree, line, variables), targets

    def ddl(self, text: str, line: int = 1) -> list[str]:
        """CREATE SCHEMA/TABLE/VIEW/INDEX: one or more DuckDB statements (IDENTITY adds a sequence)."""
        tree = self._parse(text, line)
        if not isinstance(tree, exp.Create) or tree.kind.split()[-1] not in _DDL_KINDS:
            raise SqlRefused(
                f"{' '.join(text.split()[:3])} is not a deployable object",
                line=line,
                instead="CREATE SCHEMA, TABLE, VIEW or UNIQUE INDEX; CREATE OR ALTER PROCEDURE",
            )
        sequences = _identity_sequences(tree)
        tree = self._transform(tree, line, {})
        return [*sequences, tree.sql("duckdb"), *_case_insensitive_keys(tree)]

    def conversion(self, as_type: exp.DataType, line: int) -> str:
        """`SELECT CAST($value AS type)` for a value passed to a parameter; like SQL Server, a
        string longer than the parameter's declared length is cut."""
        cast = f"CAST($value AS {duckdb_type(as_type, line).sql('duckdb')})"
        length = [p.sql() for p in as_type.expressions]
        if as_type.this in STRING_TYPES and length and length[0].isdigit():
            cast = f"left({cast}, {length[0]})"
        return f"SELECT {cast}"

    def _parse(self, text: str, line: int) -> exp.Expression:
        try:
            check_tokens(tokenize(text, first_line=line))
            trees = [tree for tree in sqlglot.parse(text, read="tsql") if tree is not None]
        except TokenizeError as error:
            raise SqlRefused(str(error), line=error.line) from error
        except (ParseError, TokenError) as error:
            details = (getattr(error, "errors", None) or [{}])[0]
            raise SqlRefused(_not_parsed(details), line=line + (details.get("line") or 1) - 1) from error
        if len(trees) != 1:
            raise SqlRefused("more than one statement where one was expected", line=line, instead="end every statement with ';'")
        tree = trees[0]
        if isinstance(tree, exp.Command):
            raise SqlRefused(
                f"sqlglot can only parse {tree.name!r} as a raw command", line=line, instead="a statement of the subset (see docs/engine.md)"
            )
        return tree

    def _finish(self, tree: exp.Expression, line: int, variables: Mapping[str, exp.DataType]) -> Translated:
        tree = self._transform(tree, line, variables)
        names = {p.name for p in tree.find_all(exp.Placeholder)}
        return Translated(tree.sql("duckdb"), tuple(sorted(names)), isinstance(tree, exp.Query))

    def _transform(self, tree: exp.Expression, line: int, variables: Mapping[str, exp.DataType]) -> exp.Expression:
        map_types(tree, line)
        _bind_variables(tree, variables, line)
        tree = rewrite_syntax(tree, line)
        return rewrite_typed(tree, Types(tree, self.catalog), line)


def _not_parsed(details: Mapping[str, object]) -> str:
    """sqlglot's parse error in plain words: near which token, what is wrong, what to check -
    never its class names (`Required keyword: 'this' missing for <class '...Where'>`)."""
    description = str(details.get("description") or "")
    near = repr(str(details.get("highlight") or "").strip() or "the start")
    at_end = not str(details.get("end_context") or "").strip()
    expected = _EXPECTING.match(description) or _EXPECTED.match(description)
    if description.startswith("Required keyword"):
        where = f"it ends after {near}, which needs more" if at_end else f"something is missing near {near}"
    elif expected:
        what = _INTERNALS.sub("", expected["what"]).strip()
        where = f"{what if what[:1].isalpha() else repr(what)} expected {'after' if at_end else 'at'} {near}"
    else:
        where = f"near {near}"
    return f"the statement could not be parsed: {where}; {_PARSE_HINT}"


def _bind_variables(tree: exp.Expression, variables: Mapping[str, exp.DataType], line: int) -> None:
    """Each @variable becomes `CAST($name AS type)`: a DuckDB prepared parameter, typed."""
    for parameter in list(tree.find_all(exp.Parameter)):
        if isinstance(parameter.parent, exp.Parameter):
            continue
        if isinstance(parameter.this, exp.Parameter):  # @@NAME
            if parameter.this.name.upper() != "TRANCOUNT":
                raise SqlRefused(f"@@{parameter.this.name}", line=line, instead="@@TRANCOUNT is the only system variable of the subset")
            name, data_type = TRANCOUNT, exp.DataType.build("INTEGER")
        else:
            name = parameter.name.lower()
            if name not in variables:
                raise SqlRefused(f"Must declare the scalar variable @{name}.", line=line, instead=f"DECLARE @{name} <type>; or a procedure parameter")
            data_type = duckdb_type(variables[name], line)
        parameter.replace(exp.Cast(this=exp.Placeholder(this=name), to=data_type))


def _identity_sequences(create: exp.Create) -> list[str]:
    """IDENTITY(seed, step) -> a sequence and DEFAULT nextval(); DuckDB has no IDENTITY."""
    statements = []
    table = create.this.this if isinstance(create.this, exp.Schema) else None
    if table is None:
        return statements
    for column in create.this.expressions:
        for constraint in column.args.get("constraints") or [] if isinstance(column, exp.ColumnDef) else []:
            identity = constraint.args.get("kind")
            if isinstance(identity, exp.GeneratedAsIdentityColumnConstraint):
                sequence = f"{table.db}.{table.name}_{column.name}_seq" if table.db else f"{table.name}_{column.name}_seq"
                start = identity.args.get("start") or exp.Literal.number(1)
                step = identity.args.get("increment") or exp.Literal.number(1)
                statements.append(f"CREATE SEQUENCE IF NOT EXISTS {sequence} START WITH {start.sql()} INCREMENT BY {step.sql()}")
                constraint.set("kind", exp.DefaultColumnConstraint(this=exp.Anonymous(this="nextval", expressions=[exp.Literal.string(sequence)])))
    return statements


def _case_insensitive_keys(create: exp.Create) -> list[str]:
    """SQL Server's keys compare strings case-insensitively; DuckDB's indexes ignore collations,
    so each PRIMARY KEY / UNIQUE constraint with a string column gets a unique index on lower()."""
    if not isinstance(create.this, exp.Schema):
        return []
    table = create.this.this.sql("duckdb")
    string_columns = {
        column.name.lower()
        for column in create.this.expressions
        if isinstance(column, exp.ColumnDef) and column.kind is not None and column.kind.this in STRING_TYPES
    }
    statements = []
    for constraint in create.this.expressions:
        if not isinstance(constraint, exp.Constraint):
            continue
        key = constraint.expressions[0]
        columns = (
            key.expressions
            if isinstance(key, exp.PrimaryKey)
            else key.this.expressions
            if isinstance(key, exp.UniqueColumnConstraint) and isinstance(key.this, exp.Schema)
            else []
        )
        names = [c.name for c in columns]
        if any(name.lower() in string_columns for name in names):
            keyed = ", ".join(f"lower({name})" if name.lower() in string_columns else name for name in names)
            statements.append(f"CREATE UNIQUE INDEX {constraint.name}_nocase ON {table} ({keyed})")
    return statements
