"""`cip powerbi validate` as a BI developer runs it before committing: every check, exit codes,
problems named by file; and against a warehouse whose column was renamed."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from cip.cli import app
from core.paths import POWERBI_PROJECT
from tests.powerbi.edited_warehouse import PRODUCT_DESCRIPTION, deploy_edited_schema

runner = CliRunner()

CHECKS = (
    "json schemas, report layout and fields",
    "semantic model CustomerIntelligence.SemanticModel",
    "CustomerIntelligence.SemanticModel vs warehouse",
)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for variable in ("CIP_WORK_DIR", "CIP_WAREHOUSE_URL"):
        monkeypatch.delenv(variable, raising=False)
    return tmp_path


def copy_project(tmp_path):
    target = tmp_path / "powerbi"
    target.mkdir(parents=True)
    for item in ("CustomerIntelligence.pbip", "CustomerIntelligence.Report", "CustomerIntelligence.SemanticModel"):
        source = POWERBI_PROJECT / item
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target / item if source.is_dir() else target)
    return target


def test_the_project_passes_every_check_against_a_fresh_warehouse(workspace):
    result = runner.invoke(app, ["powerbi", "validate"])
    assert result.exit_code == 0, result.output
    for check in CHECKS:
        assert f"{check}: ok" in result.output
    assert "sql/ deployed into an in-memory DuckDB" in result.output


def test_a_visual_pointing_at_a_missing_measure_fails_naming_the_file(workspace):
    project = copy_project(workspace / "copy")
    visual = project / "CustomerIntelligence.Report/definition/pages/ExecutiveOverview/visuals/cardRevenue/visual.json"
    visual.write_text(visual.read_text(encoding="utf-8").replace('"Property": "Revenue"', '"Property": "Turnover"'), encoding="utf-8")
    result = runner.invoke(app, ["powerbi", "validate", "--project", str(project)])
    assert result.exit_code == 1
    assert "json schemas, report layout and fields: 1 problem(s)" in result.output
    assert "ExecutiveOverview/visuals/cardRevenue/visual.json" in result.output and "Turnover" in result.output


def test_a_renamed_warehouse_column_fails_the_comparison(workspace):
    url = f"duckdb:///{(workspace / 'renamed.duckdb').as_posix()}"
    deploy_edited_schema(workspace, *PRODUCT_DESCRIPTION, url=url).close()
    result = runner.invoke(app, ["powerbi", "validate", "--warehouse", url])
    assert result.exit_code == 1
    assert "CustomerIntelligence.SemanticModel vs warehouse: 2 problem(s)" in result.output  # description gone, product_description unmodelled
    assert "Product.tmdl" in result.output and "product_description" in result.output


def test_an_invalid_power_bi_setting_is_one_line_naming_it(workspace, monkeypatch):
    monkeypatch.setenv("CIP_POWERBI_REFRESH_TYPE", "fast")
    result = runner.invoke(app, ["powerbi", "refresh"])
    assert result.exit_code == 2
    assert "invalid setting - powerbi_refresh_type: Input should be 'standard' or 'enhanced'" in result.output


def test_refresh_without_the_power_bi_settings_exits_2_naming_them(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env
    for name in ("TENANT_ID", "CLIENT_ID", "CLIENT_SECRET", "WORKSPACE_ID", "DATASET_ID"):
        monkeypatch.delenv(f"CIP_POWERBI_{name}", raising=False)
    result = runner.invoke(app, ["powerbi", "refresh"])
    assert result.exit_code == 2, result.output
    assert "Power BI is not configured (set CIP_POWERBI_TENANT_ID" in result.output
    assert "Traceback" not in result.output
