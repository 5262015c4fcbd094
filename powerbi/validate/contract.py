"""The contract between the warehouse and the semantic model: how a warehouse column is named in
the model, which columns stay out (lineage), and which model dataType each warehouse type loads
into. The model checks and the warehouse comparison both hold the model to it."""

from __future__ import annotations

import re
from typing import Any

# Warehouse columns that record where a row came from, not what it says: never in the model.
# The one list - the model checks, the warehouse comparison and the tests use it.
LINEAGE_COLUMNS = frozenset({"batch_id", "run_id", "source", "source_row", "line_key"})

# Model column name = the warehouse column name in Title Case (split on _, capitalise each word),
# except these words.
_NAME_WORDS = {"id": "ID", "rfm": "RFM", "upn": "UPN", "aov": "AOV", "p": "P"}

# The exceptions to that rule, (table, sourceColumn) -> name. Sales.revenue would be "Revenue",
# which the table's Revenue measure holds: a column cannot share its name with a measure of its
# own table.
COLUMN_NAME_OVERRIDES = {("Sales", "revenue"): "Line Revenue"}

DATA_TYPES = frozenset({"string", "int64", "double", "decimal", "dateTime", "boolean", "binary", "variant"})


def column_name(warehouse_column: str, table: str | None = None) -> str:
    """The model name of a warehouse column: customer_id -> Customer ID, rfm_code -> RFM Code."""
    if table is not None and (table, warehouse_column) in COLUMN_NAME_OVERRIDES:
        return COLUMN_NAME_OVERRIDES[table, warehouse_column]
    return " ".join(_NAME_WORDS.get(word, word.capitalize()) for word in warehouse_column.split("_"))


# The model dataType each warehouse type (SQL Server or DuckDB, by its base name) loads into.
_MODEL_TYPES = {
    "int64": (
        "int",
        "integer",
        "bigint",
        "smallint",
        "tinyint",
        "int64",
        "int32",
        "int16",
        "int8",
        "hugeint",
        "ubigint",
        "uinteger",
        "usmallint",
        "utinyint",
    ),
    "double": ("float", "double", "real", "float4", "float8"),
    "string": ("varchar", "nvarchar", "char", "nchar", "text", "ntext", "string", "uniqueidentifier", "uuid"),
    "dateTime": ("date", "datetime", "datetime2", "smalldatetime", "datetimeoffset", "timestamp", "timestamp with time zone", "time"),
    "boolean": ("bit", "boolean", "bool"),
    "binary": ("varbinary", "binary", "blob", "image"),
}
_DECIMAL_TYPES = ("decimal", "numeric", "money", "smallmoney")


def compatible_types(data_type: str, scale: Any) -> set[str]:
    """The model dataTypes a warehouse column of `data_type` (with its numeric scale, as the
    catalog gives it: int, float NaN or None) may load into; empty for a type we do not know.
    A DECIMAL with more than 4 decimals cannot be a Power BI fixed decimal (4 decimals): double."""
    base = data_type.strip().lower().split("(")[0].strip()
    if base in _DECIMAL_TYPES:
        digits = _decimal_scale(data_type, scale)
        return {"decimal", "double"} if digits is not None and digits <= 4 else {"double"}
    return {model_type for model_type, bases in _MODEL_TYPES.items() if base in bases}


def _decimal_scale(data_type: str, scale: Any) -> int | None:
    match = re.search(r"\(\s*\d+\s*,\s*(\d+)\s*\)", data_type)
    if match:
        return int(match.group(1))
    try:
        return int(scale)
    except (TypeError, ValueError):
        return None
