"""prefect.yaml: every entrypoint imports and its parameters validate; schedules, pool, no secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from prefect.exceptions import ParameterTypeError
from prefect.flows import load_flow_from_entrypoint

from flows.parameters import PipelineParameters

PREFECT_YAML = Path(__file__).resolve().parents[2] / "prefect.yaml"
CONFIG = yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))
DEPLOYMENTS = {deployment["name"]: deployment for deployment in CONFIG["deployments"]}


def test_the_three_deployments_exist():
    assert set(DEPLOYMENTS) == {"daily-full-run", "landing-folder", "power-bi-refresh"}
    assert {d["work_pool"]["name"] for d in DEPLOYMENTS.values()} == {"cip-process"}


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_each_entrypoint_imports_and_its_parameters_validate(name):
    deployment = DEPLOYMENTS[name]
    path, _, function = deployment["entrypoint"].partition(":")
    assert path.startswith("flows/") and path.endswith(".py") and function
    flow = load_flow_from_entrypoint(str(PREFECT_YAML.parent / deployment["entrypoint"]))
    validated = flow.validate_parameters(deployment.get("parameters") or {})
    if "params" in validated:
        assert isinstance(validated["params"], PipelineParameters)


def test_schedules_have_a_cron_a_timezone_and_a_slug():
    scheduled = {name: d["schedules"] for name, d in DEPLOYMENTS.items() if d.get("schedules")}
    assert set(scheduled) == {"daily-full-run", "landing-folder"}
    for schedules in scheduled.values():
        for schedule in schedules:
            assert schedule["cron"] and schedule["timezone"] == "Europe/London" and schedule["slug"]


def test_bad_parameters_are_refused_before_a_run_starts():
    flow = load_flow_from_entrypoint(str(PREFECT_YAML.parent / DEPLOYMENTS["daily-full-run"]["entrypoint"]))
    for bad in ({"chunk_rows": 10}, {"lock_wait_seconds": -1}, {"landing": True, "warehouse_url": "mssql+pyodbc://sa:pw@db"}):
        with pytest.raises(ParameterTypeError):
            flow.validate_parameters({"params": bad})


def test_no_secrets_in_the_file():
    values = yaml.safe_dump(CONFIG).lower()  # every key and value, comments left out
    for word in ("password", "secret", "token", "://", "cip_warehouse_url"):
        assert word not in values, word
