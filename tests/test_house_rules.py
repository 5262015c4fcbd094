"""The house rules, enforced: the layering (import-linter contracts in pyproject.toml), ruff's lint
and format, and small files. A violation fails the suite, so CI fails on it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from core.paths import PROJECT_ROOT

BIN = Path(sys.executable).parent
PACKAGES = ("core", "cip", "flows", "executive", "analytics", "powerbi", "etl", "warehouse")
MAX_LINES = 400  # a file longer than this is doing more than one job


def run(tool: str, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / tool), *arguments], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)


def test_every_import_follows_the_layering():
    result = run("lint-imports", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing():
    result = run("ruff", "check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted():
    result = run("ruff", "format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_python_file_of_the_product_is_over_400_lines():
    long = {
        str(path.relative_to(PROJECT_ROOT)): lines
        for package in PACKAGES
        for path in (PROJECT_ROOT / package).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
