"""The PBIR/PBIP JSON files of a project: which files are validated, each read and parsed once."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from powerbi.validate.encoding import decode_utf8
from powerbi.validate.problem import Problem

VALIDATED_SUFFIXES = (".json", ".pbir", ".pbism", ".pbip")
VALIDATED_NAMES = (".platform",)
# Not part of the project: Desktop's local state (.pbi, git-ignored), caches, tools.
SKIPPED_DIRS = {".pbi", "__pycache__", ".git", "node_modules", ".pytest_cache"}
# theme files and images: no $schema of their own; the report checks test the references to them
RESOURCE_DIR = "StaticResources"


def is_skipped(relative: Path) -> bool:
    """Whether a path (relative to the project) lies in a folder that is not part of the project."""
    return any(part in SKIPPED_DIRS for part in relative.parts)


def project_files(project_dir: Path | str) -> list[Path]:
    """The PBIR/PBIP JSON files under ``project_dir`` (Desktop's ``.pbi`` local state, caches and
    the report's static resources left out), sorted."""
    project_dir = Path(project_dir)
    files = []
    for path in project_dir.rglob("*"):
        folders = path.relative_to(project_dir).parent
        if is_skipped(folders) or RESOURCE_DIR in folders.parts:
            continue
        if path.is_file() and (path.suffix.lower() in VALIDATED_SUFFIXES or path.name in VALIDATED_NAMES):
            files.append(path)
    return sorted(files)


@dataclass
class JsonDocument:
    path: Path
    relative: str  # relative to the project folder, with /
    data: Any = None
    ok: bool = False  # read and parsed
    problems: list[Problem] = field(default_factory=list)  # why it could not be read, or its BOM


def read_json(path: Path, relative: str) -> JsonDocument:
    """One JSON file: UTF-8 without a BOM (a BOM is reported, and the file still read), valid JSON."""
    document = JsonDocument(path, relative)
    decoded = decode_utf8(path.read_bytes(), relative, json_path="$")
    document.problems.extend(decoded.problems)
    if not decoded.is_utf8:
        return document
    try:
        document.data = json.loads(decoded.text)
    except json.JSONDecodeError as error:
        message = f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        document.problems.append(Problem.in_json(relative, "$", message, "json"))
        return document
    document.ok = True
    return document
