"""The refresh-power-bi flow against the HTTPS fakes, configured through CIP_POWERBI_* variables:
skipped when unconfigured, the artifact and outcome of a completed refresh, a failed flow run
for a failed refresh."""

from __future__ import annotations

import json

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterKey,
    FlowRunFilter,
    FlowRunFilterId,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.logging.handlers import APILogWorker

from flows.refresh_power_bi import ARTIFACT_KEY, refresh_power_bi
from tests.powerbi.edited_warehouse import PRODUCT_DESCRIPTION, deploy_edited_schema
from tests.powerbi.fakes import Plan

POWERBI_VARIABLES = ("TENANT_ID", "CLIENT_ID", "CLIENT_SECRET", "WORKSPACE_ID", "DATASET_ID", "REFRESH_TYPE",
                     "AUTHORITY_HOST", "API_URL", "CA_BUNDLE", "REFRESH_TIMEOUT_SECONDS")  # fmt: skip


@pytest.fixture
def unconfigured(monkeypatch, tmp_path, prefect_api):
    monkeypatch.chdir(tmp_path)  # no .env
    for name in POWERBI_VARIABLES:
        monkeypatch.delenv(f"CIP_POWERBI_{name}", raising=False)


@pytest.fixture
def configured(unconfigured, monkeypatch, identity, pbi, ca_file):
    """CIP_POWERBI_* pointing at the fakes (REQUESTS_CA_BUNDLE stays set: the configured CA must win)."""
    values = {
        "TENANT_ID": identity.tenant, "CLIENT_ID": identity.client_id, "CLIENT_SECRET": identity.client_secret,
        "WORKSPACE_ID": pbi.workspace, "DATASET_ID": pbi.dataset, "AUTHORITY_HOST": identity.url,
        "API_URL": pbi.api_url, "CA_BUNDLE": ca_file, "REFRESH_TIMEOUT_SECONDS": "120",
    }  # fmt: skip
    for name, value in values.items():
        monkeypatch.setenv(f"CIP_POWERBI_{name}", value)


def artifact_of(flow_run_id):
    with get_client(sync_client=True) as client:
        (artifact,) = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[ARTIFACT_KEY]), flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return artifact


def logs_of(flow_run_id) -> str:
    APILogWorker.drain_all(timeout=5)
    with get_client(sync_client=True) as client:
        return "\n".join(log.message for log in client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]))))


def test_without_settings_the_refresh_is_skipped_naming_what_is_missing(unconfigured):
    outcome = refresh_power_bi()
    assert (outcome.step, outcome.status, outcome.seconds) == ("power bi refresh", "skipped", 0.0)
    assert outcome.detail.startswith("Power BI is not configured (set CIP_POWERBI_TENANT_ID, CIP_POWERBI_CLIENT_ID, ")
    assert "CIP_POWERBI_CLIENT_SECRET, CIP_POWERBI_WORKSPACE_ID, CIP_POWERBI_DATASET_ID); nothing was refreshed" in outcome.detail


def test_a_configured_refresh_completes_and_publishes_its_artifact(configured, identity, pbi):
    pbi.plans.append(Plan([{"status": "Completed"}], duration=42.5))  # done at the first look: no waiting
    state = refresh_power_bi(return_state=True)

    assert state.is_completed()
    outcome = state.result()
    (ours,) = pbi.ours()
    assert (outcome.step, outcome.status) == ("power bi refresh", "completed")
    assert outcome.detail == f"standard refresh {ours.request_id} of dataset {pbi.dataset} completed in 42.5 s"
    assert pbi.triggers[0].json == {"notifyOption": "NoNotification"}
    assert {r.headers["authorization"] for r in pbi.requests} == {f"Bearer {identity.issued[0]}"}

    artifact = artifact_of(state.state_details.flow_run_id)
    assert artifact.type == "markdown" and artifact.description == outcome.detail
    assert artifact.data.startswith("# Power BI refresh: completed\n")
    for row in (f"| refresh id | {ours.request_id} |", "| status | completed |", "| service status | Completed |", "| duration (s) | 42.5 |"):
        assert row in artifact.data
    logs = logs_of(state.state_details.flow_run_id)
    assert f"refresh {ours.request_id} of dataset {pbi.dataset} accepted" in logs
    for secret in (identity.client_secret, identity.issued[0]):
        assert secret not in artifact.data and secret not in logs and secret not in repr(outcome)


def test_a_failed_refresh_fails_the_flow_run_with_the_service_error(configured, identity, pbi):
    error = {"errorCode": "ModelRefreshFailed_CredentialsNotSpecified", "errorDescription": "The credentials of the SQL source are invalid."}
    pbi.plans.append(Plan([{"status": "Failed", "serviceExceptionJson": json.dumps(error)}], duration=4.0))
    state = refresh_power_bi(return_state=True)

    assert state.is_failed()
    failed = "failed \\(service status Failed\\): ModelRefreshFailed_CredentialsNotSpecified: The credentials of the SQL source are invalid"
    with pytest.raises(Exception, match=failed):
        state.result()
    with get_client(sync_client=True) as client:
        (task_run,) = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))
    assert task_run.name.startswith("refresh-power-bi-dataset") and task_run.state.is_failed()  # the task failed, not "completed"
    artifact = artifact_of(state.state_details.flow_run_id)
    assert artifact.data.startswith("# Power BI refresh: failed\n")
    assert "| error | ModelRefreshFailed_CredentialsNotSpecified: The credentials of the SQL source are invalid. |" in artifact.data
    assert identity.client_secret not in artifact.data and identity.client_secret not in logs_of(state.state_details.flow_run_id)


def test_a_refused_token_fails_the_flow_run_naming_the_setting(configured, identity, pbi):
    identity.reject_secret = True
    state = refresh_power_bi(return_state=True)
    assert state.is_failed() and not pbi.requests
    with pytest.raises(Exception, match="invalid_client .*check CIP_POWERBI_CLIENT_SECRET"):
        state.result()
    artifact = artifact_of(state.state_details.flow_run_id)
    assert artifact.data.startswith("# Power BI refresh: error\n") and identity.client_secret not in artifact.data


def test_a_model_that_no_longer_matches_the_warehouse_stops_the_refresh_before_it_is_triggered(configured, identity, pbi, tmp_path, monkeypatch):
    url = f"duckdb:///{(tmp_path / 'renamed.duckdb').as_posix()}"
    deploy_edited_schema(tmp_path, *PRODUCT_DESCRIPTION, url=url).close()
    monkeypatch.setenv("CIP_WAREHOUSE_URL", url)

    state = refresh_power_bi(return_state=True)

    assert state.is_failed() and not pbi.triggers  # nothing was sent to Power BI
    with pytest.raises(Exception, match="does not match the warehouse") as raised:
        state.result()
    assert "description" in str(raised.value) and "product_description" in str(raised.value)
    artifact = artifact_of(state.state_details.flow_run_id)
    assert artifact.data.startswith("# Power BI refresh: not triggered\n")
