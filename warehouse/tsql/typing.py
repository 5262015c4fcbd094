"""The T-SQL type of an expression node, as far as it can be known before running it.

sqlglot's `qualify` + `annotate_types` do most of the work, but they rename output columns,
so they run on a copy and the types are carried back to the original nodes by an id. Columns
that sqlglot cannot place (MERGE, UPDATE...FROM) are looked up by table alias here.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

T = exp.DataType.Type
INTEGER_TYPES = {T.TINYINT, T.UTINYINT, T.SMALLINT, T.INT, T.BIGINT, T.INT128}
DECIMAL_TYPES = {T.DECIMAL}
FLOAT_TYPES = {T.FLOAT, T.DOUBLE}
STRING_TYPES = {T.VARCHAR, T.NVARCHAR, T.TEXT, T.CHAR, T.NCHAR}
_INTEGER_PRECISION = {T.TINYINT: 3, T.UTINYINT: 3, T.SMALLINT: 5, T.INT: 10, T.BIGINT: 19, T.INT128: 38}

# schema -> table -> column -> type, all names lower case
Catalog = Mapping[str, Mapping[str, Mapping[str, exp.DataType]]]


_schema_of: tuple[Catalog, MappingSchema] | None = None  # the latest catalog and its sqlglot schema


def sqlglot_schema(catalog: Catalog) -> MappingSchema:
    """The catalog as a sqlglot schema, built once per catalog: rendering every column's type takes
    far longer than typing one statement, and the catalog only changes with DDL (a new object)."""
    global _schema_of
    if _schema_of is None or _schema_of[0] is not catalog:
        types = {db: {table: {c: t.sql("duckdb") for c, t in cols.items()} for table, cols in tables.items()} for db, tables in catalog.items()}
        _schema_of = (catalog, MappingSchema(types, dialect="tsql"))
    return _schema_of[1]


def is_kind(data_type: exp.DataType | None, kinds: set) -> bool:
    return data_type is not None and data_type.this in kinds


def decimal_shape(node: exp.Expression, data_type: exp.DataType) -> tuple[int, int]:
    """(precision, scale) of a numeric operand the way SQL Server sees it."""
    if isinstance(node, exp.Literal) and not node.is_string:
        digits = node.this.lstrip("-")
        whole, _, fraction = digits.partition(".")
        return max(len(whole.lstrip("0")) + len(fraction), 1), len(fraction)
    if data_type.this in DECIMAL_TYPES:
        params = [int(p.this.this) for p in data_type.expressions if isinstance(p.this, exp.Literal)]
        if len(params) == 2:
            return params[0], params[1]
        return 38, 6  # sqlglot lost the shape (e.g. an aggregate): assume the widest common one
    return _INTEGER_PRECISION.get(data_type.this, 38), 0


class Types:
    """Types of the nodes of one statement tree."""

    def __init__(self, tree: exp.Expression, catalog: Catalog):
        self.catalog = catalog
        self.tables = self._tables_by_alias(tree)
        self._annotate(tree)

    def __call__(self, node: exp.Expression) -> exp.DataType | None:
        known = node.type if node.type is not None and node.type.this != T.UNKNOWN else None
        if isinstance(node, exp.Literal) and not node.is_string and "." in node.this and "e" not in node.this.lower():
            precision, scale = decimal_shape(node, exp.DataType.build("DECIMAL"))
            return exp.DataType.build(f"DECIMAL({precision}, {scale})")
        if isinstance(node, exp.Column) and (known is None or known.this in DECIMAL_TYPES):
            return self._column(node) or known
        if isinstance(node, exp.Paren):
            return self(node.this)
        if isinstance(node, exp.Cast):
            return node.to
        if isinstance(node, (exp.Min, exp.Max)):
            return self(node.this) or known
        if isinstance(node, exp.Sum) and is_kind(inner := self(node.this), DECIMAL_TYPES):
            return exp.DataType.build(f"DECIMAL(38, {decimal_shape(node.this, inner)[1]})")
        return known

    def _column(self, column: exp.Column) -> exp.DataType | None:
        name = column.name.lower()
        if column.table:
            return self.tables.get(column.table.lower(), {}).get(name)
        matches = [columns[name] for columns in self.tables.values() if name in columns]
        return matches[0] if len(matches) == 1 else None

    def _tables_by_alias(self, tree: exp.Expression) -> dict[str, Mapping[str, exp.DataType]]:
        tables = {}
        for table in tree.find_all(exp.Table):
            columns = self.catalog.get(table.db.lower(), {}).get(table.name.lower())
            if columns is not None:
                tables[table.alias_or_name.lower()] = columns
                tables.setdefault(table.name.lower(), columns)
        return tables

    def _annotate(self, tree: exp.Expression) -> None:
        nodes = list(tree.walk())
        for index, node in enumerate(nodes):
            node.meta["type_id"] = index
        schema = sqlglot_schema(self.catalog)
        copy = tree.copy()
        try:
            copy = qualify(copy, schema=schema, dialect="tsql", validate_qualify_columns=False, quote_identifiers=False, identify=False)
        except Exception:
            copy = tree.copy()
        try:
            annotate_types(copy, schema=schema, dialect="tsql")
        except Exception:
            return
        annotated = {node.meta.get("type_id"): node.type for node in copy.walk() if "type_id" in node.meta}
        for index, node in enumerate(nodes):
            data_type = annotated.get(index)
            if data_type is not None and data_type.this != T.UNKNOWN:
                node.type = data_type
