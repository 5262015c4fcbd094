"""The checks a schema-valid PBIR report can still fail: its structure (pages.json against the
page folders, names against folders, drill-through bindings, unique filter names, the semantic
model it is bound to), the layout of its visuals, the theme and resource files it names, and the
``.pbip`` shortcut's report path."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from powerbi.validate.fields import field_problems
from powerbi.validate.json_files import RESOURCE_DIR, JsonDocument
from powerbi.validate.problem import Problem

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,50}$")


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class _Report:
    """One report folder and the parsed documents of the project, with the problems found."""

    def __init__(self, report_dir: Path, project_dir: Path, documents: dict[Path, JsonDocument]):
        self.dir, self.project_dir, self.documents = report_dir, project_dir, documents
        self.pages_dir = report_dir / "definition" / "pages"
        self.page_folders = sorted(p.parent.name for p in self.pages_dir.glob("*/page.json"))
        self.problems: list[Problem] = []
        self.filter_names: dict[str, str] = {}  # filter name -> the file that declares it

    def rel(self, path: Path) -> str:
        return path.relative_to(self.project_dir).as_posix()

    def data(self, path: Path) -> Any:
        """The parsed document at `path`; None when it is missing or could not be read."""
        document = self.documents.get(path)
        return document.data if document is not None and document.ok else None

    def problem(self, path: Path, json_path: str, message: str, check: str = "structure") -> None:
        self.problems.append(Problem.in_json(self.rel(path), json_path, message, check))

    def bound_model(self) -> Path | None:
        """The semantic model folder definition.pbir binds the report to, when it is one."""
        pbir_path = self.dir / "definition.pbir"
        pbir = self.data(pbir_path)
        if not isinstance(pbir, dict):
            return None
        by_path = ((pbir.get("datasetReference") or {}).get("byPath") or {}).get("path")
        if not isinstance(by_path, str):
            return None
        model_dir = (self.dir / by_path).resolve()
        if not (model_dir / "definition.pbism").is_file():
            message = f"{by_path!r} is not a semantic model folder (no definition.pbism in {model_dir})"
            self.problem(pbir_path, "$.datasetReference.byPath.path", message)
            return None
        return model_dir

    def check_pages_json(self) -> None:
        """pages.json lists exactly the page folders, once each, and names pages that exist."""
        path = self.pages_dir / "pages.json"
        meta = self.data(path)
        if not path.is_file():
            self.problem(self.dir, "$", "definition/pages/pages.json is missing")
            return
        if not isinstance(meta, dict):
            return
        order = meta.get("pageOrder")
        if not isinstance(order, list):
            self.problem(path, "$", "no pageOrder: list every page folder in order")
            order = []
        seen: set[str] = set()
        for index, name in enumerate(order):
            if name in seen:
                self.problem(path, f"$.pageOrder[{index}]", f"page {name!r} is listed twice")
            seen.add(name)
            if name not in self.page_folders:
                self.problem(path, f"$.pageOrder[{index}]", f"page {name!r} has no folder definition/pages/{name}/page.json")
        for name in self.page_folders:
            if name not in seen:
                self.problem(path, "$.pageOrder", f"page folder {name!r} is missing from pageOrder")
        for key in ("activePageName", "landingPageName"):
            value = meta.get(key)
            if key == "activePageName" and value is None:
                self.problem(path, "$", "no activePageName: name the page the report opens on")
            elif value is not None and value not in self.page_folders:
                self.problem(path, f"$.{key}", f"{key} {value!r} is not a page folder")

    def note_filters(self, path: Path, data: Any) -> list[str]:
        """The names of the filters a report, page or visual declares; a name used before is a problem."""
        names = []
        filters = (data.get("filterConfig") or {}).get("filters") if isinstance(data, dict) else None
        for index, item in enumerate(filters or []):
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str):
                continue
            names.append(name)
            if name in self.filter_names:
                self.problem(
                    path,
                    f"$.filterConfig.filters[{index}].name",
                    f"filter name {name!r} is also used in {self.filter_names[name]}: names must be unique in the report",
                )
            else:
                self.filter_names[name] = self.rel(path)
        return names

    def check_page(self, page_name: str) -> None:
        """A page's name and drill-through binding, and each of its visuals."""
        page_path = self.pages_dir / page_name / "page.json"
        page = self.data(page_path)
        if not isinstance(page, dict):
            return
        if page.get("name") != page_name:
            self.problem(page_path, "$.name", f"name {page.get('name')!r} differs from its folder {page_name!r}")
        if not NAME_PATTERN.match(page_name):
            self.problem(page_path, "$.name", f"page name {page_name!r}: use 1-50 letters, digits, _ or -")
        page_filters = self.note_filters(page_path, page)
        binding = page.get("pageBinding")
        if isinstance(binding, dict):
            for index, parameter in enumerate(binding.get("parameters") or []):
                bound = parameter.get("boundFilter") if isinstance(parameter, dict) else None
                if bound is not None and bound not in page_filters:
                    self.problem(page_path, f"$.pageBinding.parameters[{index}].boundFilter", f"boundFilter {bound!r} is not a filter of this page")
        width, height = _number(page.get("width")), _number(page.get("height"))
        for visual_path in sorted((self.pages_dir / page_name / "visuals").glob("*/visual.json")):
            visual = self.data(visual_path)
            if not isinstance(visual, dict):
                continue
            folder = visual_path.parent.name
            if visual.get("name") != folder:
                self.problem(visual_path, "$.name", f"name {visual.get('name')!r} differs from its folder {folder!r}")
            if not NAME_PATTERN.match(folder):
                self.problem(visual_path, "$.name", f"visual name {folder!r}: use 1-50 letters, digits, _ or -")
            self.note_filters(visual_path, visual)
            self.problems.extend(_layout_problems(self.rel(visual_path), visual, width, height))


def report_problems(report_dir: Path, project_dir: Path, documents: dict[Path, JsonDocument]) -> list[Problem]:
    """Every structure, layout, resource and field problem of the report in `report_dir`."""
    report = _Report(report_dir, project_dir, documents)
    model_dir = report.bound_model()
    report.check_pages_json()
    report_json = report_dir / "definition" / "report.json"
    report.note_filters(report_json, report.data(report_json))
    for page_name in report.page_folders:
        report.check_page(page_name)
    return [
        *report.problems,
        *_resource_problems(report_dir, report.rel(report_json), report.data(report_json)),
        *field_problems(report_dir, project_dir, model_dir, documents),
    ]


def _resource_problems(report_dir: Path, relative: str, report: Any) -> list[Problem]:
    """Every theme and resource report.json names exists under StaticResources/ (a missing one
    breaks publishing: Workload_MissingFileFromDefinition), and a theme file is JSON with a name."""
    if not isinstance(report, dict):
        return []
    problems: list[Problem] = []

    def problem(where: str, message: str) -> None:
        problems.append(Problem.in_json(relative, where, message, "structure"))

    def shown(target: Path) -> str:
        return target.relative_to(report_dir).as_posix()

    packaged: dict[tuple[str, str], str] = {}  # (package type, item name) -> path
    for p_index, package in enumerate(report.get("resourcePackages") or []):
        for i_index, item in enumerate(package.get("items") or []):
            packaged[(package.get("type"), item.get("name"))] = item.get("path")
            if package.get("type") in ("RegisteredResources", "SharedResources"):
                folder = "BaseThemes/" if item.get("type") == "BaseTheme" else ""
                target = report_dir / RESOURCE_DIR / package["type"] / f"{folder}{item.get('path')}"
                if not target.is_file():
                    problem(f"$.resourcePackages[{p_index}].items[{i_index}]", f"resource {item.get('name')!r}: no file {shown(target)}")
    for role, theme in (report.get("themeCollection") or {}).items():
        where = f"$.themeCollection.{role}"
        if theme.get("type") == "SharedResources":
            target = report_dir / RESOURCE_DIR / "SharedResources" / "BaseThemes" / f"{theme.get('name')}.json"
        else:
            path = packaged.get(("RegisteredResources", theme.get("name")))
            if path is None:
                problem(where, f"theme {theme.get('name')!r} is not an item of the RegisteredResources package")
                continue
            target = report_dir / RESOURCE_DIR / "RegisteredResources" / path
        if not target.is_file():
            problem(where, f"theme {theme.get('name')!r}: no file {shown(target)}")
            continue
        try:
            if not isinstance(json.loads(target.read_bytes().decode("utf-8")).get("name"), str):
                raise ValueError("no name")
        except (ValueError, UnicodeDecodeError, AttributeError) as error:
            problem(where, f"theme file {shown(target)} is not a theme (JSON with a name): {error}")
    return problems


def _layout_problems(relative: str, visual: dict[str, Any], width: float | None, height: float | None) -> list[Problem]:
    """A visual starts on its page, has an area and ends on the page."""
    position = visual.get("position")
    if not isinstance(position, dict) or width is None or height is None:
        return []
    x, y = _number(position.get("x")), _number(position.get("y"))
    w, h = _number(position.get("width")), _number(position.get("height"))
    if x is None or y is None or w is None or h is None:
        return []  # the schema check reports wrong types
    problems = []
    if x < 0 or y < 0:
        problems.append(Problem.in_json(relative, "$.position", f"starts outside the page: x={x:g}, y={y:g} (must be >= 0)", "layout"))
    if w <= 0 or h <= 0:
        problems.append(Problem.in_json(relative, "$.position", f"has no area: width={w:g}, height={h:g}", "layout"))
    if x + w > width or y + h > height:
        message = f"ends outside the {width:g}x{height:g} page: right edge {x + w:g}, bottom edge {y + h:g}"
        problems.append(Problem.in_json(relative, "$.position", message, "layout"))
    return problems


def shortcut_problems(document: JsonDocument) -> list[Problem]:
    """Each report a ``.pbip`` shortcut names is a report folder (holds definition.pbir)."""
    problems = []
    artifacts = document.data.get("artifacts") if isinstance(document.data, dict) else None
    for index, artifact in enumerate(artifacts or []):
        path = ((artifact or {}).get("report") or {}).get("path") if isinstance(artifact, dict) else None
        if isinstance(path, str) and not (document.path.parent / path / "definition.pbir").is_file():
            message = f"{path!r} is not a report folder (no definition.pbir)"
            problems.append(Problem.in_json(document.relative, f"$.artifacts[{index}].report.path", message, "structure"))
    return problems
