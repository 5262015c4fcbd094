"""The PBIP project as a whole: every offline check of it in one call.

validate(...)              the JSON files (schemas, report structure, layout and fields), the
                           TMDL model checks and, given a warehouse, the model against its catalog
model_vs_warehouse(e)      only the last: what the refresh checks before it triggers
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core.paths import POWERBI_PROJECT
from powerbi.validate.catalog import compare_with_warehouse
from powerbi.validate.json_files import is_skipped, project_files, read_json
from powerbi.validate.model_checks import check_model
from powerbi.validate.problem import Problem
from powerbi.validate.report import report_problems, shortcut_problems
from powerbi.validate.schemas import SchemaStore, schema_problems, schema_store

MODEL_DIR = POWERBI_PROJECT / "CustomerIntelligence.SemanticModel"


@dataclass
class Validation:
    """Problems found, by check; an empty check passed, a check that did not run is absent."""

    problems: dict[str, list[Problem]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(self.problems.values())


def validate(project_dir: Path, schema_dir: Path, engine=None) -> Validation:
    """Every offline check of the PBIP project in `project_dir`, its JSON files validated against
    the schemas in `schema_dir` (the folder holding fabric/); the warehouse comparison only when
    `engine` (a warehouse.Engine) is given. Raises FileNotFoundError when `schema_dir` is missing."""
    result = Validation()
    result.problems["json schemas, report layout and fields"] = check_json_files(project_dir, schema_store(schema_dir))
    for model in sorted(Path(project_dir).glob("*.SemanticModel")):
        result.problems[f"semantic model {model.name}"] = check_model(model / "definition")
        if engine is not None:
            result.problems[f"{model.name} vs warehouse"] = compare_with_warehouse(model / "definition", engine)
    return result


def check_json_files(project_dir: Path | str, store: SchemaStore) -> list[Problem]:
    """Every problem of the PBIR/PBIP JSON files under ``project_dir``, sorted by file and path:
    encoding and JSON, the schema each names, and each report's structure, layout and fields."""
    project_dir = Path(project_dir).resolve()
    problems: list[Problem] = []
    documents = {}
    for path in project_files(project_dir):
        document = documents[path] = read_json(path, path.relative_to(project_dir).as_posix())
        problems.extend(document.problems)
        if document.ok:
            problems.extend(schema_problems(document, store))
            if path.suffix == ".pbip":
                problems.extend(shortcut_problems(document))
    for pbir in sorted(project_dir.rglob("definition.pbir")):
        if not is_skipped(pbir.relative_to(project_dir)):
            problems.extend(report_problems(pbir.parent, project_dir, documents))
    return sorted(set(problems))


def model_vs_warehouse(engine, model_dir: Path = MODEL_DIR) -> list[Problem]:
    """Columns the model reads that the warehouse lacks (or types it cannot hold), and warehouse
    columns the model misses: a refresh would fail, or silently drop data, on any of these."""
    return compare_with_warehouse(model_dir / "definition", engine)
