"""The semantic-model fields a PBIR report uses, and the check that each exists in the model.

A PBIR file names model fields in semantic-query expressions (semanticQuery schema):

- in a visual's projections, sort, formatting rules and in a page binding:
  ``{"Column": {"Expression": {"SourceRef": {"Entity": "Sales"}}, "Property": "Revenue"}}``
  (``Measure`` likewise; ``Aggregation``/``Min``/``Max`` wrap a ``Column``);
- in a filter definition through aliases declared by a ``From`` list:
  ``{"From": [{"Name": "s", "Entity": "Sales", "Type": 0}], "Where": [... {"SourceRef": {"Source": "s"}} ...]}``
  (a ``From`` entry with an ``Expression``, a subquery, is not a model table);
- hierarchies: ``{"Hierarchy": {"Expression": {"SourceRef": ...}, "Hierarchy": "Calendar"}}`` and
  ``{"HierarchyLevel": {"Expression": {"Hierarchy": ...}, "Level": "Year"}}``;
- an automatic date hierarchy: ``{"PropertyVariationSource": {"Expression": {"SourceRef": ...},
  "Name": "Variation", "Property": "Invoice Date"}}`` - the field is the date column itself.

The JSON schemas accept any names there, so a schema-valid visual can still point at a column that
does not exist: :func:`field_problems` holds every :class:`FieldRef` against the semantic model the
report is bound to (read with powerbi.validate.tmdl), as the right kind (a measure is not a column).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from powerbi.validate.json_files import JsonDocument
from powerbi.validate.problem import Problem
from powerbi.validate.tmdl import read_model

Kind = Literal["column", "measure", "hierarchy"]
KINDS: tuple[Kind, ...] = ("column", "measure", "hierarchy")

#: The PBIR files that hold semantic queries (report, pages, visuals, bookmarks).
QUERY_FILE_NAMES = ("report.json", "page.json", "visual.json")
QUERY_FILE_SUFFIXES = (".bookmark.json",)


@dataclass(frozen=True)
class FieldRef:
    """One use of a model field. ``entity`` is None when an alias (``Source``) is not declared."""

    entity: str | None
    property: str
    kind: Kind
    file: Path
    json_path: str
    level: str | None = None  # hierarchy level, for a HierarchyLevel reference

    @property
    def key(self) -> tuple[str | None, str, Kind]:
        return (self.entity, self.property, self.kind)

    def __str__(self) -> str:
        name = f"{self.entity}[{self.property}]" + (f".{self.level}" if self.level else "")
        return f"{self.file}: {self.json_path}: {self.kind} {name}"


# -- finding the fields ----------------------------------------------------------------------------
class _Scope:
    """Aliases declared by the ``From`` lists enclosing an expression (innermost wins).

    An alias maps to its entity, or to None for a ``From`` entry that is an expression
    (a subquery table), which is not a model table.
    """

    def __init__(self, parent: _Scope | None = None, aliases: Mapping[str, str | None] | None = None):
        self.parent = parent
        self.aliases = dict(aliases or {})

    def lookup(self, alias: str) -> tuple[bool, str | None]:
        scope: _Scope | None = self
        while scope is not None:
            if alias in scope.aliases:
                return True, scope.aliases[alias]
            scope = scope.parent
        return False, None


def _child_path(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if key.isidentifier():
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


def _declared_aliases(from_list: Iterable[Any]) -> dict[str, str | None]:
    aliases: dict[str, str | None] = {}
    for source in from_list:
        if isinstance(source, dict) and isinstance(source.get("Name"), str):
            entity = source.get("Entity")
            is_table = isinstance(entity, str) and "Expression" not in source
            aliases[source["Name"]] = entity if is_table else None
    return aliases


class _NotAModelTable:
    """What a ``SourceRef`` to a subquery (or no ``SourceRef`` at all) names: no field to check."""


_NOT_A_MODEL_TABLE = _NotAModelTable()


def _entity_of(expression: Any, scope: _Scope) -> str | None | _NotAModelTable:
    """The entity a ``SourceRef`` names: a name, None (undeclared alias) or _NOT_A_MODEL_TABLE."""
    if not isinstance(expression, dict):
        return _NOT_A_MODEL_TABLE
    source_ref = expression.get("SourceRef")
    if isinstance(source_ref, dict):
        if isinstance(source_ref.get("Entity"), str):
            return source_ref["Entity"]
        if isinstance(source_ref.get("Source"), str):
            declared, entity = scope.lookup(source_ref["Source"])
            if not declared:
                return None
            return entity if entity is not None else _NOT_A_MODEL_TABLE
    return _NOT_A_MODEL_TABLE


def _walk(node: Any, path: str, scope: _Scope, file: Path) -> Iterator[FieldRef]:
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, _child_path(path, index), scope, file)
        return
    if not isinstance(node, dict):
        return
    if isinstance(node.get("From"), list):
        scope = _Scope(scope, _declared_aliases(node["From"]))
    for key, value in node.items():
        value_path = _child_path(path, key)
        if isinstance(value, dict):
            ref = _reference(key, value, value_path, scope, file)
            if ref is not None:
                yield ref
                continue  # the rest of a reference is its table (or hierarchy): nothing more to find
        yield from _walk(value, value_path, scope, file)


def _reference(key: str, value: dict[str, Any], path: str, scope: _Scope, file: Path) -> FieldRef | None:
    """The field a ``Column``, ``Measure``, ``PropertyVariationSource``, ``Hierarchy`` or
    ``HierarchyLevel`` expression names; None for any other key."""
    level = None
    if key in ("Column", "Measure", "PropertyVariationSource") and isinstance(value.get("Property"), str):
        kind: Kind = "measure" if key == "Measure" else "column"
        name, inner = value["Property"], value.get("Expression")
    elif key == "Hierarchy" and isinstance(value.get("Hierarchy"), str):
        kind, name, inner = "hierarchy", value["Hierarchy"], value.get("Expression")
    elif key == "HierarchyLevel" and isinstance(value.get("Level"), str):
        hierarchy = (value.get("Expression") or {}).get("Hierarchy")
        if not isinstance(hierarchy, dict) or not isinstance(hierarchy.get("Hierarchy"), str):
            return None
        kind, name, inner, level = "hierarchy", hierarchy["Hierarchy"], hierarchy.get("Expression"), value["Level"]
    else:
        return None
    if key != "PropertyVariationSource" and isinstance(inner, dict) and isinstance(inner.get("PropertyVariationSource"), dict):
        return None  # a level of an automatic date hierarchy: the walk reports the date column
    entity = _entity_of(inner, scope)
    if isinstance(entity, _NotAModelTable):
        return None
    return FieldRef(entity, name, kind, file, path, level)


def document_fields(document: Any, file: Path | str = Path("<document>")) -> list[FieldRef]:
    """The field references in one parsed PBIR document, in document order."""
    return list(_walk(document, "$", _Scope(), Path(file)))


def is_query_file(path: Path) -> bool:
    return path.name in QUERY_FILE_NAMES or path.name.endswith(QUERY_FILE_SUFFIXES)


def report_fields(report_dir: Path | str) -> list[FieldRef]:
    """Every field used by the report (a ``*.Report`` folder), by file; paths relative to it.

    Files that are not valid JSON are skipped here (schema validation reports them).
    """
    report_dir = Path(report_dir)
    refs: list[FieldRef] = []
    for path in sorted(report_dir.rglob("*.json")):
        if not is_query_file(path):
            continue
        try:
            document = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        refs.extend(document_fields(document, path.relative_to(report_dir)))
    return refs


def distinct_fields(refs: Iterable[FieldRef]) -> list[tuple[str | None, str, Kind]]:
    """The distinct (entity, property, kind) of some references, sorted."""
    return sorted({r.key for r in refs}, key=lambda k: (k[0] or "", k[1], k[2]))


# -- checking them against the model ---------------------------------------------------------------
def field_problems(report_dir: Path, project_dir: Path, model_dir: Path | None, documents: dict[Path, JsonDocument]) -> list[Problem]:
    """Every field the report's parsed files use that the semantic model in `model_dir` (None: the
    report is bound to no model folder, which the structure check reports) lacks."""
    refs: list[FieldRef] = []
    for path, document in sorted(documents.items()):
        if document.ok and path.is_relative_to(report_dir) and is_query_file(path):
            refs.extend(document_fields(document.data, path.relative_to(project_dir)))
    if not refs or model_dir is None:
        return []
    model = read_model(model_dir)
    # the reader does not read hierarchies (the model has none), so every hierarchy used is reported
    catalogue = {name: {"column": set(table.columns), "measure": set(table.measures), "hierarchy": set()} for name, table in model.tables.items()}
    problems = []
    for ref in refs:
        message = _missing_field(ref, catalogue, model_dir.name)
        if message:
            problems.append(Problem.in_json(ref.file.as_posix(), ref.json_path, message, "field"))
    return problems


def _missing_field(ref: FieldRef, catalogue: dict[str, dict[str, set[str]]], model_name: str) -> str | None:
    """What is wrong with one field reference, or None when the model has that field."""
    if ref.entity is None:
        return f"{ref.kind} {ref.property!r} refers to a source alias that no enclosing From list declares"
    table = catalogue.get(ref.entity)
    if table is None:
        return f"table {ref.entity!r} is not in the semantic model {model_name}"
    if ref.property in table[ref.kind]:
        return None
    for other in KINDS:
        if other != ref.kind and ref.property in table[other]:
            return f"{ref.entity}[{ref.property}] is a {other} of the model, used here as a {ref.kind}"
    return f"{ref.kind} {ref.entity}[{ref.property}] does not exist in the semantic model {model_name}"
