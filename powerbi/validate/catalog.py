"""The semantic model held against a deployed warehouse's catalog (INFORMATION_SCHEMA.COLUMNS):
what a refresh would fail on (a column the warehouse lacks, a type the model cannot hold), or
silently leave out (a warehouse column the model lacks)."""

from __future__ import annotations

from pathlib import Path

from powerbi.validate.contract import LINEAGE_COLUMNS, compatible_types
from powerbi.validate.problem import Problem
from powerbi.validate.tmdl import read_model
from powerbi.validate.tmdl_objects import SemanticModel, Table

# {(schema, object): {column: (data type, numeric scale)}}, names in lower case
Catalog = dict[tuple[str, str], dict[str, tuple[str, object]]]


def warehouse_columns(engine) -> Catalog:
    """Every column of every table and view behind `engine` (a warehouse.Engine), read from
    INFORMATION_SCHEMA.COLUMNS - the same query on SQL Server and on DuckDB."""
    frame = engine.query(
        "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, NUMERIC_SCALE FROM INFORMATION_SCHEMA.COLUMNS "
        "ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION"
    )
    frame.columns = [str(c).lower() for c in frame.columns]
    catalog: Catalog = {}
    for row in frame.itertuples(index=False):
        key = (str(row.table_schema).lower(), str(row.table_name).lower())
        catalog.setdefault(key, {})[str(row.column_name).lower()] = (str(row.data_type), row.numeric_scale)
    return catalog


def compare_with_warehouse(model: SemanticModel | str | Path, engine) -> list[Problem]:
    """Hold the model against the warehouse behind `engine` (deployed): every partition's source
    object exists, every column's sourceColumn exists there with a type the column's dataType can
    hold, and every warehouse column of the object except lineage (LINEAGE_COLUMNS) is in the
    model - so renaming or adding a warehouse column fails here until the model follows."""
    if not isinstance(model, SemanticModel):
        model = read_model(model)
    catalog = warehouse_columns(engine)
    problems = []
    for table in model.tables.values():
        for partition in table.partitions:
            where = partition.expression_location or partition.location
            if partition.source_object is None:
                problems.append(Problem.at(where, f"{table.name}: the partition names no warehouse object", "warehouse"))
                continue
            schema, item = partition.source_object
            columns = catalog.get((schema.lower(), item.lower()))
            if columns is None:
                problems.append(Problem.at(where, f"{table.name} reads {schema}.{item}, which is not in the warehouse", "warehouse"))
                continue
            problems.extend(_column_problems(table, f"{schema}.{item}", columns))
    return problems


def _column_problems(table: Table, source: str, columns: dict[str, tuple[str, object]]) -> list[Problem]:
    """The table's columns against those of its warehouse object `source` (schema.object)."""
    problems = []
    read = set()
    for column in table.columns.values():
        if not column.source_column:
            continue
        read.add(column.source_column.lower())
        found = columns.get(column.source_column.lower())
        label = f"{table.name}[{column.name}]"
        if found is None:
            problems.append(Problem.at(column.location, f"{label} reads {column.source_column}, which {source} does not have", "warehouse"))
            continue
        allowed = compatible_types(*found)
        if column.data_type not in allowed:
            expected = " or ".join(sorted(allowed)) or "a supported type"
            message = f"{label} is {column.data_type} but {source}.{column.source_column} is {found[0]} (expected {expected})"
            problems.append(Problem.at(column.location, message, "warehouse"))
    for missing in [c for c in columns if c not in read and c not in LINEAGE_COLUMNS]:
        message = f"{source}.{missing} is not in the model table {table.name} (add the column, or list it in LINEAGE_COLUMNS if it is lineage)"
        problems.append(Problem.at(table.location, message, "warehouse"))
    return problems
