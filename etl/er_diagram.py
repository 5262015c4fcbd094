"""The ER diagram of the warehouse, generated from the DDL under sql/schema.

    .venv/bin/python -m etl.er_diagram            # rewrites docs/er_diagram.md
    .venv/bin/python -m etl.er_diagram --check    # exit 1 if the file is out of date

Every CREATE TABLE / CREATE VIEW of sql/schema is parsed with sqlglot (T-SQL): columns, types,
primary and unique keys, and FOREIGN KEY constraints, which become the relationships.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import sqlglot
from sqlglot import exp

from core.paths import DOCS, SQL_ROOT
from warehouse.sql_files import deployment_order

DIAGRAM = DOCS / "er_diagram.md"
SCHEMAS = ("stg", "etl", "dw", "mart")  # staging first, marts last, as data flows


@dataclass
class Entity:
    name: str  # schema.table
    kind: str  # table or view
    columns: list[tuple[str, str, bool]] = field(default_factory=list)  # name, type, nullable
    keys: dict[str, set[str]] = field(default_factory=dict)  # column -> {PK, FK, UK}
    references: list[tuple[str, str]] = field(default_factory=list)  # (column, referenced schema.table)


def read_entities(sql_root: Path | None = None) -> list[Entity]:
    entities = []
    for sql_file in deployment_order(sql_root or SQL_ROOT):
        if not sql_file.relative.startswith("schema/") or sql_file.defines is None or sql_file.defines.kind not in ("table", "view"):
            continue
        tree = sqlglot.parse_one(sql_file.batches[0].text, read="tsql")
        entities.append(_view(tree) if sql_file.defines.kind == "view" else _table(tree))
    order = {schema: i for i, schema in enumerate(SCHEMAS)}
    return sorted(entities, key=lambda e: (order.get(e.name.split(".")[0], len(order)), e.name))


def _name(table: exp.Table) -> str:
    return f"{table.db}.{table.name}".lower()


def _table(tree: exp.Create) -> Entity:
    entity = Entity(_name(tree.this.this), "table")
    for item in tree.this.expressions:
        if isinstance(item, exp.ColumnDef):
            nullable = not any(
                isinstance(c.args.get("kind"), exp.NotNullColumnConstraint) and not c.args["kind"].args.get("allow_null") for c in item.constraints
            )
            entity.columns.append((item.name, _type(item.kind), nullable))
        elif isinstance(item, exp.Constraint):
            for part in item.expressions:
                _constraint(entity, part)
    return entity


def _constraint(entity: Entity, part: exp.Expression) -> None:
    """Keys as sqlglot parses T-SQL table constraints: `PRIMARY KEY CLUSTERED (a)` is a
    PrimaryKeyColumnConstraint followed by a ClusteredColumnConstraint holding the columns."""
    if isinstance(part, (exp.ClusteredColumnConstraint, exp.NonClusteredColumnConstraint)):
        for column in part.this:
            entity.keys.setdefault(_column_name(column), set()).add("PK")
    elif isinstance(part, exp.UniqueColumnConstraint):
        placed = part.this.this if isinstance(part.this, (exp.ClusteredColumnConstraint, exp.NonClusteredColumnConstraint)) else part.this.expressions
        for column in placed:
            entity.keys.setdefault(_column_name(column), set()).add("UK")
    elif isinstance(part, exp.ForeignKey):
        reference = part.args["reference"].this
        for column in part.expressions:
            entity.keys.setdefault(column.name, set()).add("FK")
            entity.references.append((column.name, _name(reference.this)))


def _type(kind: exp.DataType) -> str:
    """The type as the DDL writes it (sqlglot spells DECIMAL as NUMERIC and INT as INTEGER)."""
    text = kind.sql("tsql")
    for spelled, written in (("NUMERIC", "DECIMAL"), ("INTEGER", "INT")):
        text = text.replace(spelled, written)
    return text


def _column_name(column: exp.Expression) -> str:
    return column.this.name if isinstance(column, exp.Ordered) else column.name


def _view(tree: exp.Create) -> Entity:
    entity = Entity(_name(tree.this), "view")
    for projection in tree.expression.selects:
        entity.columns.append((projection.alias_or_name, "", True))
    entity.references = sorted({("", _name(table)) for table in tree.expression.find_all(exp.Table)})
    return entity


def mermaid(entities: list[Entity]) -> str:
    lines = ["erDiagram"]
    for entity in entities:
        lines.append(f"    {_id(entity.name)} {{")
        for name, data_type, nullable in entity.columns:
            keys = ",".join(k for k in ("PK", "FK", "UK") if k in entity.keys.get(name, ()))
            kind = data_type.split("(")[0].lower() if data_type else "column"
            comment = f'"{data_type}{" NULL" if nullable and data_type else ""}"' if data_type else '"from the view"'
            lines.append(f"        {kind} {name}{' ' + keys if keys else ''} {comment}")
        lines.append("    }")
    for entity in entities:
        for column, target in entity.references:
            if entity.kind == "view":
                lines.append(f'    {_id(target)} ||--o{{ {_id(entity.name)} : "read by"')
            else:
                lines.append(f'    {_id(target)} ||--o{{ {_id(entity.name)} : "{column}"')
    return "\n".join(lines)


def _id(name: str) -> str:
    return name.replace(".", "_")


def document(sql_root: Path | None = None) -> str:
    entities = read_entities(sql_root)
    return (
        "# Warehouse ER diagram\n\n"
        "Generated from the DDL under `sql/schema` by `.venv/bin/python -m etl.er_diagram`; do not edit by hand\n"
        "(`tests/etl/test_er_diagram.py` fails when it is out of date). Entity names are\n"
        "`schema_table`; relationships are the FOREIGN KEY constraints, and the tables the view reads.\n"
        "See [warehouse.md](warehouse.md) for what each table holds.\n\n"
        f"```mermaid\n{mermaid(entities)}\n```\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write docs/er_diagram.md from sql/schema.")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date instead of writing it")
    args = parser.parse_args(argv)
    text = document()
    if args.check:
        current = DIAGRAM.read_text(encoding="utf-8") if DIAGRAM.exists() else ""
        if current != text:
            print(f"{DIAGRAM} is out of date: run python -m etl.er_diagram", file=sys.stderr)
            return 1
        return 0
    DIAGRAM.write_text(text, encoding="utf-8")
    print(f"wrote {DIAGRAM}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
