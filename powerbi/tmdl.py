"""A small reader for TMDL, the text form of a Power BI semantic model (the `definition/` folder
of a PBIP `<Name>.SemanticModel`).

It reads what this project's model uses - database, model (with `ref` lines), tables (columns,
measures, partitions), relationships, roles (table permissions, members) and shared expressions -
and keeps the file and line of everything, so checks can say `file:line: what is wrong`. It is
not Microsoft's parser (that one is .NET): it follows the documented grammar
(https://learn.microsoft.com/analysis-services/tmdl/tmdl-overview):

- one object or property per line; tabs indent children one level deeper than their parent;
  objects directly under the model (table, relationship, role, expression, ref) start at column 0;
- `keyword name`, with the name single-quoted when it holds whitespace or `. = : '` (a quote
  inside is doubled); `keyword name = value` for an object with a default property (a measure's
  DAX, a partition's source type, a permission's filter);
- `property: value` (double quotes optional, `""` escapes one), a bare `property` means true,
  `property = expression` for expression properties such as a partition's `source`;
- an expression either follows `=` on the same line (single line), or starts on the next line,
  indented one level deeper than the owner's properties, and runs while lines stay that deep
  (blank lines included, trailing blank lines dropped); or is fenced with three backticks right
  after `=` and read verbatim up to a line holding only three backticks, whose indentation is
  stripped from every line;
- `///` lines are the description of the object declared on the next line.

Problems met while reading (bad indentation, a BOM, unreadable lines) are collected on
`SemanticModel.problems`, never raised; `powerbi.model_checks` reports them with the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Column",
    "Location",
    "Measure",
    "NamedExpression",
    "Partition",
    "Problem",
    "Ref",
    "Relationship",
    "Role",
    "RoleMember",
    "SemanticModel",
    "Table",
    "TablePermission",
    "quote_name",
    "read_model",
    "split_qualified_name",
]

BOM = b"\xef\xbb\xbf"

# TMDL object types (case-insensitive on read, camelCase when written). A line starting with one
# of these followed by a name declares an object; any other `word` is a property.
_OBJECT_TYPES = {
    name.lower(): name
    for name in (
        "database", "model", "table", "column", "measure", "partition", "hierarchy", "level",
        "relationship", "role", "tablePermission", "columnPermission", "member", "expression",
        "annotation", "extendedProperty", "culture", "cultureInfo", "perspective",
        "perspectiveTable", "perspectiveColumn", "perspectiveMeasure", "perspectiveHierarchy",
        "calculationGroup", "calculationItem", "formatStringDefinition", "detailRowsDefinition",
        "dataSource", "queryGroup", "kpi", "variation", "refreshPolicy", "calculationExpression",
        "function", "dataCoverageDefinition", "linguisticMetadata",
    )
}
# Objects that may be declared without a name (some with a default expression after `=`).
_UNNAMED_OBJECTS = {
    "database", "model", "kpi", "calculationGroup", "formatStringDefinition", "detailRowsDefinition",
    "refreshPolicy", "dataCoverageDefinition", "linguisticMetadata",
}

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PROPERTY = re.compile(r"(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*:(?P<value>.*)$")
_EXPRESSION_PROPERTY = re.compile(r"(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=(?P<value>.*)$")
_FENCE = "```"
_NAVIGATION = re.compile(r'\{\s*\[\s*Schema\s*=\s*"(?P<schema>[^"]*)"\s*,\s*Item\s*=\s*"(?P<item>[^"]*)"\s*\]\s*\}')
_SELECT_COLUMNS = re.compile(r"Table\.SelectColumns\(\s*[#\w\"]+\s*,\s*\{(?P<columns>[^}]*)\}", re.S)
_SQL_DATABASE = re.compile(r"Sql\.Database\(\s*(?P<server>[^,()]+?)\s*,\s*(?P<database>[^,()]+?)\s*[,)]")
_M_STRING = re.compile(r'"((?:[^"]|"")*)"')


# -- locations and problems ------------------------------------------------------------------------
@dataclass(frozen=True)
class Location:
    file: str  # relative to the folder given to read_model, with forward slashes
    line: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"

    def offset(self, lines: int) -> "Location":
        return Location(self.file, self.line + lines)


@dataclass(frozen=True)
class Problem:
    location: Location
    message: str
    kind: str = "syntax"  # syntax | indentation | encoding

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


# -- the model -------------------------------------------------------------------------------------
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

    def measure(self, name: str) -> Measure | None:
        """A measure by name, from any table (measure names are unique in a model)."""
        for table in self.tables.values():
            if name in table.measures:
                return table.measures[name]
        return None

    def display_path(self, path: Path) -> str:
        return path.relative_to(self.folder).as_posix()


# -- names -----------------------------------------------------------------------------------------
def quote_name(name: str) -> str:
    """A name as TMDL writes it: single-quoted (quotes doubled) when it needs to be."""
    if re.search(r"[\s.=:']", name) or not name:
        return "'" + name.replace("'", "''") + "'"
    return name


def _take_name(text: str) -> tuple[str | None, str]:
    """Read one (possibly quoted) name from the start of `text`: (name, rest) or (None, text)."""
    text = text.lstrip(" \t")
    if text.startswith("'"):
        index, chars = 1, []
        while index < len(text):
            if text[index] == "'":
                if text[index + 1 : index + 2] == "'":
                    chars.append("'")
                    index += 2
                    continue
                return "".join(chars), text[index + 1 :]
            chars.append(text[index])
            index += 1
        return None, text  # unterminated quote
    match = re.match(r"[^\s=:'.]+", text)
    if not match:
        return None, text
    return match.group(0), text[match.end() :]


def split_qualified_name(text: str) -> list[str] | None:
    """`Sales.'Date Key'` -> ['Sales', 'Date Key']; None if it does not read as dotted names."""
    parts, rest = [], text.strip()
    while True:
        name, rest = _take_name(rest)
        if name is None:
            return None
        parts.append(name)
        rest = rest.strip()
        if not rest:
            return parts
        if not rest.startswith("."):
            return None
        rest = rest[1:]


def _property_value(text: str) -> str:
    value = text.strip()
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        value = value[1:-1].replace('""', '"')
    return value


# -- the line parser -------------------------------------------------------------------------------
@dataclass
class _Node:
    kind: str  # canonical object type, or the property name
    name: str | None
    value: str | None
    is_object: bool
    depth: int
    location: Location
    value_location: Location | None = None
    description: str | None = None
    children: list["_Node"] = field(default_factory=list)

    def properties(self) -> dict[str, str]:
        return {child.kind: child.value or "" for child in self.children if not child.is_object}

    def objects(self, kind: str) -> list["_Node"]:
        return [child for child in self.children if child.is_object and child.kind == kind]


class _FileParser:
    def __init__(self, text: str, file: str):
        self.lines = [line.rstrip("\r") for line in text.split("\n")]
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, line_index: int, message: str, kind: str = "syntax") -> None:
        self.problems.append(Problem(Location(self.file, line_index + 1), message, kind))

    def depth(self, line_index: int) -> int:
        line = self.lines[line_index]
        return len(line) - len(line.lstrip("\t"))

    def parse(self) -> list[_Node]:
        root = _Node("<file>", None, None, True, -1, Location(self.file, 0))
        stack = [root]
        description: list[str] = []
        index = 0
        while index < len(self.lines):
            raw = self.lines[index]
            if not raw.strip():
                description = []  # a description must sit right above its object
                index += 1
                continue
            indent = raw[: len(raw) - len(raw.lstrip(" \t"))]
            if " " in indent:
                self.problem(index, "indentation must be tabs, not spaces", "indentation")
            depth = indent.count("\t") + indent.count(" ") // 4
            content = raw.strip()
            if content.startswith("///"):
                text = content[3:]
                description.append(text[1:] if text.startswith(" ") else text)
                index += 1
                continue
            while stack[-1].depth >= depth:
                stack.pop()
            parent = stack[-1]
            if depth > parent.depth + 1:
                self.problem(index, f"indented {depth - parent.depth - 1} level(s) too deep for its parent", "indentation")
            node, index = self.line(content, depth, index)
            if node is None:
                description = []
                continue
            if description:
                node.description = "\n".join(description)
                description = []
            parent.children.append(node)
            stack.append(node)
        return root.children

    def line(self, content: str, depth: int, index: int) -> tuple[_Node | None, int]:
        """Read the line at `index` (and the expression lines it owns); returns the node and the
        index of the next line to read."""
        location = Location(self.file, index + 1)
        word_match = _WORD.match(content)
        word = word_match.group(0) if word_match else ""
        rest = content[len(word) :]

        if word == "ref":
            ref_type, after = _take_name(rest)
            name, after = _take_name(after.lstrip())
            if ref_type is None or name is None or after.strip():
                self.problem(index, f"cannot read the ref line: {content!r}")
                return None, index + 1
            return _Node("ref", name, ref_type, True, depth, location), index + 1

        object_type = _OBJECT_TYPES.get(word.lower()) if word else None
        if object_type and rest[:1] in (" ", "\t", ""):
            after_word = rest.strip()
            if not after_word or after_word.startswith("="):
                if object_type not in _UNNAMED_OBJECTS:
                    self.problem(index, f"{object_type} without a name")
                    return None, index + 1
                name, after = None, after_word
            else:
                name, after = _take_name(after_word)
                if name is None:
                    self.problem(index, f"cannot read the name of this {object_type}: {content!r}")
                    return None, index + 1
            node = _Node(object_type, name, None, True, depth, location)
            after = after.strip()
            if not after:
                return node, index + 1
            if not after.startswith("="):
                self.problem(index, f"unexpected text after the name of this {object_type}: {after!r}")
                return node, index + 1
            # an object's properties sit at depth + 1, a multi-line default expression at depth + 2
            return node, self.expression(node, after[1:], depth + 2, index)

        match = _PROPERTY.match(content)
        if match:
            return _Node(match["key"], None, _property_value(match["value"]), False, depth, location), index + 1
        match = _EXPRESSION_PROPERTY.match(content)
        if match:
            node = _Node(match["key"], None, None, False, depth, location)
            return node, self.expression(node, match["value"], depth + 1, index)
        if word and not rest.strip():
            return _Node(word, None, "true", False, depth, location), index + 1  # a boolean shorthand
        self.problem(index, f"cannot read this line: {content!r}")
        return None, index + 1

    def expression(self, node: _Node, after_equals: str, expression_depth: int, index: int) -> int:
        """Set node.value from the text after `=` and the lines it continues on; returns the index
        of the next line to read."""
        inline = after_equals.strip()
        if inline.startswith(_FENCE):
            if inline != _FENCE:
                self.problem(index, "nothing may follow ``` on the line that opens a fenced expression")
            end = index + 1
            while end < len(self.lines) and self.lines[end].strip() != _FENCE:
                end += 1
            if end == len(self.lines):
                self.problem(index, "the fenced expression opened here is never closed with ```")
                node.value = "\n".join(self.lines[index + 1 :])
                node.value_location = Location(self.file, index + 2)
                return end
            closing = self.lines[end]
            margin = closing[: len(closing) - len(closing.lstrip(" \t"))]
            body = [line[len(margin) :] if line.startswith(margin) else line.lstrip(" \t") for line in self.lines[index + 1 : end]]
            node.value = "\n".join(body)
            node.value_location = Location(self.file, index + 2)
            return end + 1
        if inline:
            node.value = inline
            node.value_location = Location(self.file, index + 1)
            following = index + 1
            while following < len(self.lines) and not self.lines[following].strip():
                following += 1
            if following < len(self.lines) and self.depth(following) >= expression_depth:
                self.problem(
                    following,
                    "an expression that starts on the '=' line cannot continue on the next line: "
                    "start a multi-line expression on the line after '='",
                )
                while following < len(self.lines) and (not self.lines[following].strip() or self.depth(following) >= expression_depth):
                    following += 1  # skip the continuation, reported once
                return following
            return index + 1
        end = index + 1
        last_text = index
        while end < len(self.lines):
            line = self.lines[end]
            if line.strip():
                if self.depth(end) < expression_depth:
                    break
                last_text = end
            end += 1
        if last_text == index:
            self.problem(index, f"no expression after '=' (a multi-line expression is indented {expression_depth} tab(s))")
            node.value = ""
            node.value_location = Location(self.file, index + 1)
            return index + 1
        body = [line[expression_depth:] if line.strip() else "" for line in self.lines[index + 1 : last_text + 1]]
        node.value = "\n".join(body)
        node.value_location = Location(self.file, index + 2)
        return last_text + 1


# -- from nodes to the model -----------------------------------------------------------------------
def read_model(folder: str | Path) -> SemanticModel:
    """Read a TMDL folder: a `<Name>.SemanticModel` folder (its `definition/` is read) or the
    `definition/` folder itself."""
    folder = Path(folder)
    definition = folder / "definition" if (folder / "definition").is_dir() else folder
    model = SemanticModel(folder=folder, definition=definition)
    if not definition.is_dir():
        model.problems.append(Problem(Location(folder.as_posix(), 0), "no TMDL folder here"))
        return model
    for path in sorted(definition.rglob("*.tmdl")):
        display = model.display_path(path)
        model.files.append(display)
        data = path.read_bytes()
        if data.startswith(BOM):
            model.problems.append(Problem(Location(display, 1), "starts with a UTF-8 byte order mark (save as UTF-8 without BOM)", "encoding"))
            data = data[len(BOM) :]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            model.problems.append(Problem(Location(display, line), f"not UTF-8: {error.reason} at byte {error.start}", "encoding"))
            text = data.decode("utf-8", errors="replace")
        parser = _FileParser(text, display)
        nodes = parser.parse()
        model.problems.extend(parser.problems)
        for node in nodes:
            _add_top_level(model, node)
    return model


def _add_top_level(model: SemanticModel, node: _Node) -> None:
    if not node.is_object:
        model.problems.append(Problem(node.location, f"property {node.kind} outside of any object"))
        return
    if node.kind == "ref":
        model.refs.append(Ref(node.value or "", node.name or "", node.location))
    elif node.kind == "database":
        level = node.properties().get("compatibilityLevel")
        model.compatibility_level = int(level) if level and level.isdigit() else None
    elif node.kind == "model":
        model.model_properties.update(node.properties())
        for child in node.children:
            if child.is_object and child.kind == "ref":
                model.refs.append(Ref(child.value or "", child.name or "", child.location))
    elif node.kind == "table":
        _add_table(model, node)
    elif node.kind == "relationship":
        _add_relationship(model, node)
    elif node.kind == "role":
        _add_role(model, node)
    elif node.kind == "expression":
        if node.name in model.expressions:
            model.problems.append(Problem(node.location, f"expression {node.name} declared twice"))
        properties = node.properties()
        model.expressions[node.name or ""] = NamedExpression(
            name=node.name or "",
            location=node.location,
            expression=node.value or "",
            expression_location=node.value_location or node.location,
            kind=properties.get("kind"),
            description=node.description,
            properties=properties,
        )
    # annotations, cultures, perspectives, data sources ...: not needed by the checks


def _add_table(model: SemanticModel, node: _Node) -> None:
    name = node.name or ""
    table = model.tables.get(name)
    if table is None:
        table = model.tables[name] = Table(name=name, location=node.location, description=node.description)
    table.files.append(node.location.file)
    properties = node.properties()
    table.properties.update(properties)
    table.is_hidden = table.is_hidden or _true(properties.get("isHidden"))
    table.data_category = properties.get("dataCategory", table.data_category)
    for child in node.children:
        if not child.is_object:
            continue
        if child.kind == "column":
            if child.name in table.columns:
                model.problems.append(Problem(child.location, f"column {name}[{child.name}] declared twice"))
            props = child.properties()
            table.columns[child.name or ""] = Column(
                name=child.name or "",
                location=child.location,
                data_type=props.get("dataType"),
                source_column=props.get("sourceColumn"),
                is_hidden=_true(props.get("isHidden")),
                is_key=_true(props.get("isKey")),
                data_category=props.get("dataCategory"),
                format_string=props.get("formatString"),
                summarize_by=props.get("summarizeBy"),
                sort_by_column=_unquote_reference(props.get("sortByColumn")),
                expression=child.value,
                description=child.description,
                properties=props,
            )
        elif child.kind == "measure":
            if child.name in table.measures:
                model.problems.append(Problem(child.location, f"measure {name}[{child.name}] declared twice"))
            props = child.properties()
            table.measures[child.name or ""] = Measure(
                name=child.name or "",
                location=child.location,
                expression=child.value or "",
                expression_location=child.value_location or child.location,
                format_string=props.get("formatString"),
                display_folder=props.get("displayFolder"),
                description=child.description,
                properties=props,
            )
        elif child.kind == "partition":
            source = next((c for c in child.children if not c.is_object and c.kind == "source"), None)
            props = child.properties()
            table.partitions.append(
                Partition(
                    name=child.name or "",
                    location=child.location,
                    source_type=child.value,
                    mode=props.get("mode"),
                    expression=source.value if source else None,
                    expression_location=(source.value_location if source else None),
                    properties=props,
                )
            )


def _add_relationship(model: SemanticModel, node: _Node) -> None:
    relationship = Relationship(name=node.name or "", location=node.location, properties=node.properties())
    for child in node.children:
        if child.is_object or child.kind not in ("fromColumn", "toColumn"):
            continue
        parts = split_qualified_name(child.value or "")
        if parts is None or len(parts) != 2:
            model.problems.append(Problem(child.location, f"{child.kind} must read Table.Column (quote names with spaces): {child.value!r}"))
            continue
        if child.kind == "fromColumn":
            relationship.from_table, relationship.from_column = parts
            relationship.from_location = child.location
        else:
            relationship.to_table, relationship.to_column = parts
            relationship.to_location = child.location
    model.relationships.append(relationship)


def _add_role(model: SemanticModel, node: _Node) -> None:
    name = node.name or ""
    if name in model.roles:
        model.problems.append(Problem(node.location, f"role {name} declared twice"))
    properties = node.properties()
    role = model.roles[name] = Role(
        name=name,
        location=node.location,
        model_permission=properties.get("modelPermission"),
        description=node.description,
        properties=properties,
    )
    for child in node.children:
        if child.is_object and child.kind == "tablePermission":
            if child.name in role.table_permissions:
                model.problems.append(Problem(child.location, f"two table permissions on {child.name} in role {name}"))
            role.table_permissions[child.name or ""] = TablePermission(
                table=child.name or "",
                location=child.location,
                expression=child.value,
                expression_location=child.value_location or child.location,
            )
        elif child.is_object and child.kind == "member":
            role.members.append(RoleMember(child.name or "", child.location))


def _true(value: str | None) -> bool:
    return value is not None and value.strip().lower() != "false"


def _unquote_reference(value: str | None) -> str | None:
    if value is None:
        return None
    parts = split_qualified_name(value)
    return parts[-1] if parts else value
