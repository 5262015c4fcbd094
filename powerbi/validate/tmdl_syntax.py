"""The line grammar of TMDL, the text form of a Power BI semantic model: one file's lines become
a tree of nodes (objects with their properties and expressions), with the line of each.

It follows the documented grammar (https://learn.microsoft.com/analysis-services/tmdl/tmdl-overview);
it is not Microsoft's parser (that one is .NET):

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

What cannot be read (bad indentation, unreadable lines) becomes a `Problem`, never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from powerbi.validate.problem import Location, Problem

# TMDL object types (case-insensitive on read, camelCase when written). A line starting with one
# of these followed by a name declares an object; any other `word` is a property.
_OBJECT_TYPES = {
    name.lower(): name
    for name in (
        "database",
        "model",
        "table",
        "column",
        "measure",
        "partition",
        "hierarchy",
        "level",
        "relationship",
        "role",
        "tablePermission",
        "columnPermission",
        "member",
        "expression",
        "annotation",
        "extendedProperty",
        "culture",
        "cultureInfo",
        "perspective",
        "perspectiveTable",
        "perspectiveColumn",
        "perspectiveMeasure",
        "perspectiveHierarchy",
        "calculationGroup",
        "calculationItem",
        "formatStringDefinition",
        "detailRowsDefinition",
        "dataSource",
        "queryGroup",
        "kpi",
        "variation",
        "refreshPolicy",
        "calculationExpression",
        "function",
        "dataCoverageDefinition",
        "linguisticMetadata",
    )
}
# Objects that may be declared without a name (some with a default expression after `=`).
_UNNAMED_OBJECTS = {
    "database",
    "model",
    "kpi",
    "calculationGroup",
    "formatStringDefinition",
    "detailRowsDefinition",
    "refreshPolicy",
    "dataCoverageDefinition",
    "linguisticMetadata",
}

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PROPERTY = re.compile(r"(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*:(?P<value>.*)$")
_EXPRESSION_PROPERTY = re.compile(r"(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=(?P<value>.*)$")
_FENCE = "```"


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
class Node:
    """One object or property line, with the expression it owns and its children."""

    kind: str  # canonical object type, or the property name
    name: str | None
    value: str | None
    is_object: bool
    depth: int
    location: Location
    value_location: Location | None = None
    description: str | None = None
    children: list[Node] = field(default_factory=list)

    def properties(self) -> dict[str, str]:
        return {child.kind: child.value or "" for child in self.children if not child.is_object}


class _FileParser:
    def __init__(self, text: str, file: str):
        self.lines = [line.rstrip("\r") for line in text.split("\n")]
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, line_index: int, message: str, check: str = "syntax") -> None:
        self.problems.append(Problem.at(Location(self.file, line_index + 1), message, check))

    def depth(self, line_index: int) -> int:
        line = self.lines[line_index]
        return len(line) - len(line.lstrip("\t"))

    def parse(self) -> list[Node]:
        root = Node("<file>", None, None, True, -1, Location(self.file, 0))
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

    def line(self, content: str, depth: int, index: int) -> tuple[Node | None, int]:
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
            return Node("ref", name, ref_type, True, depth, location), index + 1

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
            node = Node(object_type, name, None, True, depth, location)
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
            return Node(match["key"], None, _property_value(match["value"]), False, depth, location), index + 1
        match = _EXPRESSION_PROPERTY.match(content)
        if match:
            node = Node(match["key"], None, None, False, depth, location)
            return node, self.expression(node, match["value"], depth + 1, index)
        if word and not rest.strip():
            return Node(word, None, "true", False, depth, location), index + 1  # a boolean shorthand
        self.problem(index, f"cannot read this line: {content!r}")
        return None, index + 1

    def expression(self, node: Node, after_equals: str, expression_depth: int, index: int) -> int:
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
                    "an expression that starts on the '=' line cannot continue on the next line: start a multi-line expression on the line after '='",
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


def parse_tmdl(text: str, file: str) -> tuple[list[Node], list[Problem]]:
    """The top-level nodes of one TMDL file's text, and what could not be read."""
    parser = _FileParser(text, file)
    return parser.parse(), parser.problems
