"""The PBIP project as a whole: where it is, and every offline check of it in one call.

    validate(...)           JSON schemas + report layout and fields (schemas.py), the TMDL model
                            checks (model_checks.py) and, given a warehouse, model vs catalog
    model_vs_warehouse(e)   only the last: what the refresh checks before it triggers
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from powerbi.model_checks import check_model, compare_with_warehouse
from powerbi.schemas import validate_project

PROJECT_DIR = Path(__file__).resolve().parent
MODEL_DIR = PROJECT_DIR / "CustomerIntelligence.SemanticModel"


@dataclass
class Validation:
    """Problems found, by check; an empty check passed, a check that did not run is absent."""

    problems: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(self.problems.values())

    def count(self) -> int:
        return sum(len(found) for found in self.problems.values())


def validate(project_dir: Path = PROJECT_DIR, schema_dir: Path | None = None, engine=None) -> Validation:
    """Every offline check of the project; the warehouse comparison only when `engine` is given.
    Raises FileNotFoundError when no JSON schema folder is found (see CIP_POWERBI_SCHEMA_DIR)."""
    result = Validation()
    result.problems["json schemas, report layout and fields"] = [str(p) for p in validate_project(project_dir, schema_dir)]
    models = sorted(Path(project_dir).glob("*.SemanticModel"))
    for model in models:
        result.problems[f"semantic model {model.name}"] = check_model(model / "definition")
        if engine is not None:
            result.problems[f"{model.name} vs warehouse"] = compare_with_warehouse(model / "definition", engine)
    return result


def model_vs_warehouse(engine, model_dir: Path = MODEL_DIR) -> list[str]:
    """Columns the model reads that the warehouse lacks (or types it cannot hold), and warehouse
    columns the model misses: a refresh would fail, or silently drop data, on any of these."""
    return compare_with_warehouse(model_dir / "definition", engine)
