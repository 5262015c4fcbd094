"""What the TMDL reader (`powerbi.validate.tmdl`) makes of a semantic model: the model, its
tables, columns, measures, partitions, relationships, roles and shared expressions, each with
the file and line it is declared at."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from powerbi.validate.problem import Location, Problem

# what a partition's M source says (Sql.Database, the navigation to one warehouse object, the
# selected columns): read with patterns, as the model checks and the warehouse comparison need them
_NAVIGATION = re.compile(r'\{\s*\[\s*Schema\s*=\s*"(?P<schema>[^"]*)"\s*,\s*Item\s*=\s*"(?P<item>[^"]*)"\s*\]\s*\}')
_SELECT_COLUMNS = re.compile(r"Table\.SelectColumns\(\s*[#\w\"]+\s*,\s*\{(?P<columns>[^}]*)\}", re.S)
_SQL_DATABASE = re.compile(r"Sql\.Database\(\s*(?P<server>[^,()]+?)\s*,\s*(?P<database>[^,()]+?)\s*[,)]")
_M_STRING = re.compile(r'"((?:[^"]|"")*)"')


@dataclass
class Column:
    name: str
    location: Location
    data_type: str | None = None
    source_column: str | None = None
    is_hidden: bool = False
    is_key: bool = False
    data_category: str | None = None
    format_string: str | None = None
    summarize_by: str | None = None
    sort_by_column: str | None = None
    expression: str | None = None  # a calculated column's DAX
    description: str | None = None
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class Measure:
    name: str
    location: Location
    expression: str
    expression_location: Location
    format_string: str | None = None
    display_folder: str | None = None
    description: str | None = None
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class Partition:
    name: str
    location: Location
    source_type: str | None  # m, calculated, ...
    mode: str | None = None
    expression: str | None = None  # the `source` expression (M for an m partition)
    expression_location: Location | None = None
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def source_object(self) -> tuple[str, str] | None:
        """(schema, item) of the `Source{[Schema="...",Item="..."]}[Data]` navigation, if any."""
        match = _NAVIGATION.search(self.expression or "")
        return (match["schema"], match["item"]) if match else None

    @property
    def selected_columns(self) -> list[str] | None:
        """The column names of the `Table.SelectColumns(step, {...})` call, if any."""
        match = _SELECT_COLUMNS.search(self.expression or "")
        if not match:
            return None
        return [text.replace('""', '"') for text in _M_STRING.findall(match["columns"])]

    @property
    def sql_database_arguments(self) -> tuple[str, str] | None:
        """The two arguments of `Sql.Database(server, database)`, as written."""
        match = _SQL_DATABASE.search(self.expression or "")
        return (match["server"], match["database"]) if match else None


@dataclass
class Table:
    name: str
    location: Location
    columns: dict[str, Column] = field(default_factory=dict)
    measures: dict[str, Measure] = field(default_factory=dict)
    partitions: list[Partition] = field(default_factory=list)
    is_hidden: bool = False
    data_category: str | None = None
    description: str | None = None
    properties: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # a table may be declared in parts


@dataclass
class Relationship:
    name: str
    location: Location
    from_table: str | None = None
    from_column: str | None = None
    to_table: str | None = None
    to_column: str | None = None
    from_location: Location | None = None
    to_location: Location | None = None
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def is_active(self) -> bool:
        return self.properties.get("isActive", "true").lower() != "false"


@dataclass
class TablePermission:
    table: str
    location: Location
    expression: str | None  # the DAX row filter
    expression_location: Location


@dataclass
class RoleMember:
    name: str
    location: Location


@dataclass
class Role:
    name: str
    location: Location
    model_permission: str | None = None
    table_permissions: dict[str, TablePermission] = field(default_factory=dict)
    members: list[RoleMember] = field(default_factory=list)
    description: str | None = None
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class NamedExpression:
    """A shared expression of expressions.tmdl, e.g. an M parameter."""

    name: str
    location: Location
    expression: str
    expression_location: Location
    kind: str | None = None
    description: str | None = None
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def is_parameter(self) -> bool:
        return re.search(r"IsParameterQuery\s*=\s*true", self.expression, re.I) is not None


@dataclass(frozen=True)
class Ref:
    """A `ref <type> <name>` line (model.tmdl: the order of tables, roles, cultures)."""

    type: str
    name: str
    location: Location


@dataclass
class SemanticModel:
    folder: Path  # the folder given to read_model (a .SemanticModel folder or its definition/)
    definition: Path  # the folder holding the .tmdl files
    tables: dict[str, Table] = field(default_factory=dict)
    relationships: list[Relationship] = field(default_factory=list)
    roles: dict[str, Role] = field(default_factory=dict)
    expressions: dict[str, NamedExpression] = field(default_factory=dict)
    refs: list[Ref] = field(default_factory=list)
    compatibility_level: int | None = None
    model_properties: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # every .tmdl file read, relative
    problems: list[Problem] = field(default_factory=list)

    def refs_of(self, ref_type: str) -> list[Ref]:
        return [ref for ref in self.refs if ref.type.lower() == ref_type.lower()]

    def display_path(self, path: Path) -> str:
        return path.relative_to(self.folder).as_posix()
