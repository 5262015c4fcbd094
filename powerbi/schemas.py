"""Offline validation of the PBIP project (``powerbi/``) against Microsoft's published JSON schemas.

Every PBIR/PBIP JSON file - ``*.json``, ``*.pbir``, ``*.pbism``, ``*.pbip`` and ``.platform`` -
names its schema in ``$schema``, a ``https://developer.microsoft.com/json-schemas/fabric/...``
URL. :class:`SchemaStore` maps that URL prefix onto a local copy of the schemas (the setting
``CIP_POWERBI_SCHEMA_DIR``, default ``../shared/vendor/fabric-json-schemas`` beside the project),
and a ``referencing.Registry`` whose ``retrieve`` reads from there resolves the schemas'
cross-file ``$ref``s, so nothing is fetched from the network.

A schema-valid report can still be broken, so :func:`validate_project` also checks:

- encoding: UTF-8 without a byte order mark, and valid JSON;
- ``pages.json`` lists exactly the page folders (``pageOrder``) and ``activePageName`` exists;
- every page and visual ``name`` matches its folder;
- every visual fits inside its page's canvas;
- every field a visual, page, report or filter uses (``powerbi.report_fields``) resolves to a
  column, measure or hierarchy of the semantic model the report points at (read with
  ``powerbi.tmdl``), as the right kind (a measure is not used as a column);
- the ``.pbip`` shortcut and ``definition.pbir`` point at folders that exist; a drill-through
  binding points at a filter of its page; filter names are unique in the report.

Run it with ``python -m powerbi.schemas [project_dir] [--schema-dir DIR]``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import jsonschema
import referencing.exceptions
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from powerbi.report_fields import FieldRef, document_fields, is_query_file

__all__ = [
    "PROJECT_DIR",
    "SCHEMA_URL_PREFIX",
    "Problem",
    "SchemaNotFound",
    "SchemaStore",
    "default_schema_dir",
    "project_files",
    "schema_store",
    "validate_project",
]

PROJECT_DIR = Path(__file__).resolve().parent
SCHEMA_URL_PREFIX = "https://developer.microsoft.com/json-schemas/"
VALIDATED_SUFFIXES = (".json", ".pbir", ".pbism", ".pbip")
VALIDATED_NAMES = (".platform",)
# Not part of the project: Desktop's local state (.pbi, git-ignored), caches, tools.
SKIPPED_DIRS = {".pbi", "__pycache__", ".git", "node_modules", ".pytest_cache"}
# theme files and images: no $schema of their own; _resource_problems checks the references to them
RESOURCE_DIR = "StaticResources"
BOM = b"\xef\xbb\xbf"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,50}$")
MAX_MESSAGE = 400


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong: the file (relative to the project folder, with /), a JSON path in it
    (``$`` = the whole file) and what is wrong."""

    file: str
    path: str
    message: str
    check: str = field(default="schema", compare=False)  # encoding|json|schema|structure|layout|field

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}"


class SchemaNotFound(LookupError):
    """A schema URL with no local file."""

    def __init__(self, url: str, local_path: Path | None, reason: str = ""):
        self.url = url
        self.local_path = local_path
        where = f"looked for {local_path}" if local_path is not None else reason
        super().__init__(f"schema {url} is not available offline: {where}")


def default_schema_dir() -> Path | None:
    """The setting ``CIP_POWERBI_SCHEMA_DIR`` (default: the vendored copy)."""
    from core.settings import load_settings

    return load_settings().powerbi_schema_dir


class SchemaStore:
    """The schemas under ``schema_dir`` (the folder holding ``fabric/``), by URL.

    ``$ref``s between schema files resolve through a ``referencing.Registry`` whose retrieve
    function reads the local file for a ``https://developer.microsoft.com/json-schemas/`` URL and
    refuses anything else. Parsed schema files and compiled validators are cached.
    """

    def __init__(self, schema_dir: Path | str):
        self.schema_dir = Path(schema_dir)
        self._resources: dict[str, Resource] = {}
        self._validators: dict[str, jsonschema.protocols.Validator] = {}
        self._ids: dict[str, Path] | None = None
        self.registry: Registry = Registry(retrieve=self._retrieve)

    def local_path(self, url: str) -> Path | None:
        """The file a schema URL maps to (whether or not it exists); None off the prefix."""
        if not url.startswith(SCHEMA_URL_PREFIX):
            return None
        relative = url[len(SCHEMA_URL_PREFIX) :].split("#", 1)[0]
        if not relative or ".." in Path(relative).parts:
            return None
        return self.schema_dir / relative

    def _id_index(self) -> dict[str, Path]:
        """``$id`` -> file, for schemas whose ``$id`` differs from their file name (e.g. every
        ``schema-embedded.json`` declares ``.../schema.embedded.json``)."""
        if self._ids is None:
            self._ids = {}
            for path in self.schema_dir.rglob("*.json"):
                try:
                    schema_id = json.loads(path.read_text(encoding="utf-8")).get("$id")
                except (OSError, ValueError, AttributeError):
                    continue
                if isinstance(schema_id, str):
                    self._ids.setdefault(schema_id.split("#", 1)[0], path)
        return self._ids

    def _retrieve(self, uri: str) -> Resource:
        uri = uri.split("#", 1)[0]
        if uri in self._resources:
            return self._resources[uri]
        path = self.local_path(uri)
        if path is None:
            raise SchemaNotFound(uri, None, f"only {SCHEMA_URL_PREFIX}... URLs are resolved, from {self.schema_dir}")
        if not path.is_file():
            path = self._id_index().get(uri, path)
        if not path.is_file():
            raise SchemaNotFound(uri, self.local_path(uri))
        contents = json.loads(path.read_text(encoding="utf-8-sig"))
        resource = Resource.from_contents(contents, default_specification=DRAFT7)
        self._resources[uri] = resource
        return resource

    def _load_closure(self, url: str) -> None:
        """Load the schema at ``url`` and every schema it references (transitively) into the
        registry, so validation never goes back to ``retrieve`` (which referencing would do for
        each cross-file ``$ref`` of each instance, re-crawling the registry every time).
        Raises :class:`SchemaNotFound` naming the first missing file."""
        pending, loaded = [url], []
        while pending:
            uri = pending.pop()
            if uri in self.registry or uri in loaded:
                continue
            resource = self._retrieve(uri)
            loaded.append(uri)
            for ref in _refs(resource.contents):
                target = urljoin(uri, ref).split("#", 1)[0]
                if target and target not in loaded:
                    pending.append(target)
        if loaded:
            pairs = [(uri, self._resources[uri]) for uri in loaded]
            # also under its $id, where that differs from the file name (schema.embedded.json)
            pairs += [(r.id(), r) for _, r in pairs if r.id() and r.id() not in self.registry and r.id() not in loaded]
            self.registry = self.registry.with_resources(pairs).crawl()

    def validator(self, url: str) -> jsonschema.protocols.Validator:
        """A draft-07 validator of the schema at ``url``; raises :class:`SchemaNotFound`."""
        url = url.split("#", 1)[0]
        if url not in self._validators:
            self._load_closure(url)
            schema = self._resources[url].contents
            self._validators[url] = jsonschema.Draft7Validator(schema, registry=self.registry)
        return self._validators[url]

    def errors(self, url: str, instance: Any) -> list[ValidationError]:
        """Validation errors of ``instance`` against the schema at ``url`` (sorted by path);
        raises :class:`SchemaNotFound` when the schema or one it references is missing."""
        validator = self.validator(url)
        try:
            return sorted(validator.iter_errors(instance), key=lambda e: (list(map(str, e.absolute_path)), e.message))
        except referencing.exceptions.Unresolvable as error:
            cause: BaseException | None = error
            while cause is not None:
                if isinstance(cause, SchemaNotFound):
                    raise cause from error
                cause = cause.__cause__ or cause.__context__
            raise SchemaNotFound(getattr(error, "ref", url), None, f"unresolvable $ref: {error}") from error


def _refs(node: Any) -> Iterator[str]:
    """Every ``$ref`` string in a schema document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


@lru_cache(maxsize=8)
def schema_store(schema_dir: Path | str) -> SchemaStore:
    """One cached :class:`SchemaStore` per folder (schemas are parsed and compiled once)."""
    return SchemaStore(Path(schema_dir).resolve())


# -- files -----------------------------------------------------------------------------------------
def _is_validated(path: Path) -> bool:
    return path.suffix.lower() in VALIDATED_SUFFIXES or path.name in VALIDATED_NAMES


def project_files(project_dir: Path | str) -> list[Path]:
    """The PBIR/PBIP JSON files under ``project_dir`` (Desktop's ``.pbi`` local state and caches
    left out), sorted."""
    project_dir = Path(project_dir)
    files = []
    for path in project_dir.rglob("*"):
        relative = path.relative_to(project_dir)
        if any(part in SKIPPED_DIRS or part == RESOURCE_DIR for part in relative.parts[:-1]):
            continue
        if path.is_file() and _is_validated(path):
            files.append(path)
    return sorted(files)


@dataclass
class _Document:
    path: Path
    relative: str
    data: Any = None
    ok: bool = False  # read and parsed


def _read(path: Path, relative: str, problems: list[Problem]) -> _Document:
    document = _Document(path, relative)
    raw = path.read_bytes()
    if raw.startswith(BOM):
        problems.append(Problem(relative, "$", "starts with a UTF-8 byte order mark: save as UTF-8 without BOM", "encoding"))
        raw = raw[len(BOM) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        problems.append(Problem(relative, "$", f"not UTF-8: {error.reason} at byte {error.start}", "encoding"))
        return document
    try:
        document.data = json.loads(text)
    except json.JSONDecodeError as error:
        problems.append(Problem(relative, "$", f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})", "json"))
        return document
    document.ok = True
    return document


def _short(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 3] + "..."


def _schema_problems(document: _Document, store: SchemaStore) -> list[Problem]:
    relative, data = document.relative, document.data
    if not isinstance(data, dict):
        return [Problem(relative, "$", "the document is not a JSON object, so it names no $schema")]
    url = data.get("$schema")
    if url is None:
        return [Problem(relative, "$", "no $schema: every PBIR/PBIP file must name its JSON schema")]
    if not isinstance(url, str) or not url.startswith(SCHEMA_URL_PREFIX):
        return [Problem(relative, "$.$schema", f"$schema {url!r} is not a {SCHEMA_URL_PREFIX}... URL")]
    try:
        errors = store.errors(url, data)
    except SchemaNotFound as error:
        return [Problem(relative, "$.$schema", str(error))]
    return [Problem(relative, error.json_path, _short(_error_message(error))) for error in errors]


def _error_message(error: ValidationError) -> str:
    """The error's message; for a failed anyOf/oneOf, what the alternatives expected."""
    if not error.context:
        return error.message
    instance = json.dumps(error.instance, ensure_ascii=False)
    instance = instance if len(instance) <= 80 else instance[:77] + "..."
    if all(sub.validator == "const" and not sub.relative_path for sub in error.context):
        allowed = ", ".join(json.dumps(sub.validator_value, ensure_ascii=False) for sub in error.context)
        return f"{instance} is not one of {allowed}"
    deepest = best_match(error.context)
    where = "" if deepest.json_path == error.json_path else f" at {deepest.json_path}"
    return f"{instance} matches none of the allowed schemas ({error.validator}); closest{where}: {deepest.message}"


# -- report structure ------------------------------------------------------------------------------
def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _report_problems(report_dir: Path, project_dir: Path, documents: dict[Path, _Document]) -> list[Problem]:
    problems: list[Problem] = []

    def rel(path: Path) -> str:
        return path.relative_to(project_dir).as_posix()

    def doc(path: Path) -> Any:
        document = documents.get(path)
        return document.data if document is not None and document.ok else None

    # the semantic model the report is bound to
    pbir_path = report_dir / "definition.pbir"
    pbir = doc(pbir_path)
    model_dir: Path | None = None
    if isinstance(pbir, dict):
        by_path = ((pbir.get("datasetReference") or {}).get("byPath") or {}).get("path")
        if isinstance(by_path, str):
            model_dir = (report_dir / by_path).resolve()
            if not (model_dir / "definition.pbism").is_file():
                problems.append(Problem(rel(pbir_path), "$.datasetReference.byPath.path",
                                        f"{by_path!r} is not a semantic model folder (no definition.pbism in {model_dir})", "structure"))
                model_dir = None

    pages_dir = report_dir / "definition" / "pages"
    pages_json_path = pages_dir / "pages.json"
    page_folders = sorted(p.parent.name for p in pages_dir.glob("*/page.json"))
    pages_meta = doc(pages_json_path)
    if not pages_json_path.is_file():
        problems.append(Problem(rel(report_dir), "$", "definition/pages/pages.json is missing", "structure"))
    elif isinstance(pages_meta, dict):
        order = pages_meta.get("pageOrder")
        if not isinstance(order, list):
            problems.append(Problem(rel(pages_json_path), "$", "no pageOrder: list every page folder in order", "structure"))
            order = []
        seen: set[str] = set()
        for index, name in enumerate(order):
            if name in seen:
                problems.append(Problem(rel(pages_json_path), f"$.pageOrder[{index}]", f"page {name!r} is listed twice", "structure"))
            seen.add(name)
            if name not in page_folders:
                problems.append(Problem(rel(pages_json_path), f"$.pageOrder[{index}]",
                                        f"page {name!r} has no folder definition/pages/{name}/page.json", "structure"))
        for name in page_folders:
            if name not in seen:
                problems.append(Problem(rel(pages_json_path), "$.pageOrder",
                                        f"page folder {name!r} is missing from pageOrder", "structure"))
        for key in ("activePageName", "landingPageName"):
            value = pages_meta.get(key)
            if key == "activePageName" and value is None:
                problems.append(Problem(rel(pages_json_path), "$", "no activePageName: name the page the report opens on", "structure"))
            elif value is not None and value not in page_folders:
                problems.append(Problem(rel(pages_json_path), f"$.{key}", f"{key} {value!r} is not a page folder", "structure"))

    filter_names: dict[str, str] = {}

    def note_filters(path: Path, data: Any) -> list[str]:
        names = []
        filters = ((data or {}).get("filterConfig") or {}).get("filters") if isinstance(data, dict) else None
        for index, item in enumerate(filters or []):
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str):
                continue
            names.append(name)
            if name in filter_names:
                problems.append(Problem(rel(path), f"$.filterConfig.filters[{index}].name",
                                        f"filter name {name!r} is also used in {filter_names[name]}: names must be unique in the report", "structure"))
            else:
                filter_names[name] = rel(path)
        return names

    report_json = report_dir / "definition" / "report.json"
    note_filters(report_json, doc(report_json))
    problems.extend(_resource_problems(report_dir, rel(report_json), doc(report_json)))

    for page_name in page_folders:
        page_path = pages_dir / page_name / "page.json"
        page = doc(page_path)
        if not isinstance(page, dict):
            continue
        if page.get("name") != page_name:
            problems.append(Problem(rel(page_path), "$.name", f"name {page.get('name')!r} differs from its folder {page_name!r}", "structure"))
        if not NAME_PATTERN.match(page_name):
            problems.append(Problem(rel(page_path), "$.name", f"page name {page_name!r}: use 1-50 letters, digits, _ or -", "structure"))
        page_filters = note_filters(page_path, page)
        binding = page.get("pageBinding")
        if isinstance(binding, dict):
            for index, parameter in enumerate(binding.get("parameters") or []):
                bound = parameter.get("boundFilter") if isinstance(parameter, dict) else None
                if bound is not None and bound not in page_filters:
                    problems.append(Problem(rel(page_path), f"$.pageBinding.parameters[{index}].boundFilter",
                                            f"boundFilter {bound!r} is not a filter of this page", "structure"))
        width, height = _number(page.get("width")), _number(page.get("height"))
        for visual_path in sorted((pages_dir / page_name / "visuals").glob("*/visual.json")):
            visual = doc(visual_path)
            if not isinstance(visual, dict):
                continue
            folder = visual_path.parent.name
            if visual.get("name") != folder:
                problems.append(Problem(rel(visual_path), "$.name", f"name {visual.get('name')!r} differs from its folder {folder!r}", "structure"))
            if not NAME_PATTERN.match(folder):
                problems.append(Problem(rel(visual_path), "$.name", f"visual name {folder!r}: use 1-50 letters, digits, _ or -", "structure"))
            note_filters(visual_path, visual)
            problems.extend(_layout_problems(rel(visual_path), visual, width, height))

    problems.extend(_field_problems(report_dir, project_dir, model_dir, documents))
    return problems


def _resource_problems(report_dir: Path, relative: str, report: Any) -> list[Problem]:
    """Every theme and resource report.json names exists under StaticResources/ (a missing one
    breaks publishing: Workload_MissingFileFromDefinition), and a theme file is JSON with a name."""
    if not isinstance(report, dict):
        return []
    problems: list[Problem] = []
    packaged: dict[tuple[str, str], str] = {}  # (package type, item name) -> path
    for p_index, package in enumerate(report.get("resourcePackages") or []):
        for i_index, item in enumerate(package.get("items") or []):
            where = f"$.resourcePackages[{p_index}].items[{i_index}]"
            packaged[(package.get("type"), item.get("name"))] = item.get("path")
            if package.get("type") in ("RegisteredResources", "SharedResources"):
                folder = "BaseThemes/" if item.get("type") == "BaseTheme" else ""
                target = report_dir / RESOURCE_DIR / package["type"] / f"{folder}{item.get('path')}"
                if not target.is_file():
                    problems.append(Problem(relative, where, f"resource {item.get('name')!r}: no file {target.relative_to(report_dir).as_posix()}", "structure"))
    for role, theme in ((report.get("themeCollection") or {}).items()):
        where = f"$.themeCollection.{role}"
        if theme.get("type") == "SharedResources":
            target = report_dir / RESOURCE_DIR / "SharedResources" / "BaseThemes" / f"{theme.get('name')}.json"
        else:
            path = packaged.get(("RegisteredResources", theme.get("name")))
            if path is None:
                problems.append(Problem(relative, where, f"theme {theme.get('name')!r} is not an item of the RegisteredResources package", "structure"))
                continue
            target = report_dir / RESOURCE_DIR / "RegisteredResources" / path
        if not target.is_file():
            problems.append(Problem(relative, where, f"theme {theme.get('name')!r}: no file {target.relative_to(report_dir).as_posix()}", "structure"))
            continue
        try:
            if not isinstance(json.loads(target.read_bytes().decode("utf-8")).get("name"), str):
                raise ValueError("no name")
        except (ValueError, UnicodeDecodeError, AttributeError) as error:
            problems.append(Problem(relative, where, f"theme file {target.relative_to(report_dir).as_posix()} is not a theme (JSON with a name): {error}", "structure"))
    return problems


def _layout_problems(relative: str, visual: dict[str, Any], width: float | None, height: float | None) -> list[Problem]:
    position = visual.get("position")
    if not isinstance(position, dict) or width is None or height is None:
        return []
    x, y = _number(position.get("x")), _number(position.get("y"))
    w, h = _number(position.get("width")), _number(position.get("height"))
    if None in (x, y, w, h):
        return []  # the schema check reports wrong types
    assert x is not None and y is not None and w is not None and h is not None
    problems = []
    if x < 0 or y < 0:
        problems.append(Problem(relative, "$.position", f"starts outside the page: x={x:g}, y={y:g} (must be >= 0)", "layout"))
    if w <= 0 or h <= 0:
        problems.append(Problem(relative, "$.position", f"has no area: width={w:g}, height={h:g}", "layout"))
    if x + w > width or y + h > height:
        problems.append(Problem(relative, "$.position",
                                f"ends outside the {width:g}x{height:g} page: right edge {x + w:g}, bottom edge {y + h:g}", "layout"))
    return problems


def _model_catalogue(model_dir: Path) -> tuple[dict[str, dict[str, set[str]]] | None, str | None]:
    """{table: {"column": names, "measure": names, "hierarchy": names}} read with powerbi.tmdl."""
    try:
        from powerbi.tmdl import read_model
    except ImportError as error:  # pragma: no cover - the model reader ships with the project
        return None, f"cannot read the semantic model to check fields: {error}"
    model = read_model(model_dir)
    catalogue: dict[str, dict[str, set[str]]] = {}
    for name, table in model.tables.items():
        catalogue[name] = {
            "column": set(_names(getattr(table, "columns", {}))),
            "measure": set(_names(getattr(table, "measures", {}))),
            "hierarchy": set(_names(getattr(table, "hierarchies", {}))),
        }
    return catalogue, None


def _names(items: Any) -> Iterator[str]:
    if isinstance(items, dict):
        yield from items
    else:
        for item in items or ():
            yield getattr(item, "name", item)


def _field_problems(report_dir: Path, project_dir: Path, model_dir: Path | None,
                    documents: dict[Path, _Document]) -> list[Problem]:
    refs: list[FieldRef] = []
    for path, document in sorted(documents.items()):
        if document.ok and path.is_relative_to(report_dir) and is_query_file(path):
            refs.extend(document_fields(document.data, path.relative_to(project_dir)))
    if not refs or model_dir is None:
        return []
    catalogue, error = _model_catalogue(model_dir)
    if catalogue is None:
        return [Problem(report_dir.relative_to(project_dir).as_posix(), "$", error or "no model", "field")]
    model_name = model_dir.name
    problems = []
    for ref in refs:
        message = _field_message(ref, catalogue, model_name)
        if message:
            problems.append(Problem(ref.file.as_posix(), ref.json_path, message, "field"))
    return problems


def _field_message(ref: FieldRef, catalogue: dict[str, dict[str, set[str]]], model_name: str) -> str | None:
    if ref.entity is None:
        return f"{ref.kind} {ref.property!r} refers to a source alias that no enclosing From list declares"
    table = catalogue.get(ref.entity)
    if table is None:
        return f"table {ref.entity!r} is not in the semantic model {model_name}"
    if ref.property in table[ref.kind]:
        return None
    for other in ("column", "measure", "hierarchy"):
        if other != ref.kind and ref.property in table[other]:
            return f"{ref.entity}[{ref.property}] is a {other} of the model, used here as a {ref.kind}"
    return f"{ref.kind} {ref.entity}[{ref.property}] does not exist in the semantic model {model_name}"


# -- the whole project -----------------------------------------------------------------------------
def _shortcut_problems(document: _Document, project_dir: Path) -> list[Problem]:
    problems = []
    artifacts = document.data.get("artifacts") if isinstance(document.data, dict) else None
    for index, artifact in enumerate(artifacts or []):
        path = ((artifact or {}).get("report") or {}).get("path") if isinstance(artifact, dict) else None
        if isinstance(path, str) and not (document.path.parent / path / "definition.pbir").is_file():
            problems.append(Problem(document.relative, f"$.artifacts[{index}].report.path",
                                    f"{path!r} is not a report folder (no definition.pbir)", "structure"))
    return problems


def validate_project(project_dir: Path | str = PROJECT_DIR, schema_dir: Path | str | SchemaStore | None = None) -> list[Problem]:
    """Every problem of the PBIP project under ``project_dir``, sorted by file and path.

    ``schema_dir`` is the folder holding ``fabric/`` (or a :class:`SchemaStore`); None means
    :func:`default_schema_dir`. Raises FileNotFoundError when there is no schema folder at all.
    """
    project_dir = Path(project_dir).resolve()
    if isinstance(schema_dir, SchemaStore):
        store = schema_dir
    else:
        schema_dir = schema_dir if schema_dir is not None else default_schema_dir()
        if schema_dir is None or not Path(schema_dir).is_dir():
            raise FileNotFoundError(
                f"no JSON schema folder ({schema_dir or 'unset'}): set CIP_POWERBI_SCHEMA_DIR to a copy of "
                "https://github.com/microsoft/json-schemas (the folder holding fabric/)"
            )
        store = schema_store(schema_dir)

    problems: list[Problem] = []
    documents: dict[Path, _Document] = {}
    for path in project_files(project_dir):
        relative = path.relative_to(project_dir).as_posix()
        document = _read(path, relative, problems)
        documents[path] = document
        if document.ok:
            problems.extend(_schema_problems(document, store))
            if path.suffix == ".pbip":
                problems.extend(_shortcut_problems(document, project_dir))
    for pbir in sorted(project_dir.rglob("definition.pbir")):
        if not any(part in SKIPPED_DIRS for part in pbir.relative_to(project_dir).parts):
            problems.extend(_report_problems(pbir.parent, project_dir, documents))
    return sorted(set(problems))


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Validate the PBIP project offline against Microsoft's JSON schemas.")
    parser.add_argument("project_dir", nargs="?", type=Path, default=PROJECT_DIR)
    parser.add_argument("--schema-dir", type=Path, default=None, help="folder holding fabric/ (default: CIP_POWERBI_SCHEMA_DIR)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        problems = validate_project(args.project_dir, args.schema_dir)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    count = len(project_files(args.project_dir))
    print(f"{count} files checked, {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
