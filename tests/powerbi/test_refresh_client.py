"""The refresh client against the local HTTPS fakes of Entra ID and Power BI (tests/powerbi/fakes.py).

Time is virtual (the `clock` fixture): the client's waits are recorded, not slept, so the pacing
is asserted exactly and every test runs in a fraction of a second.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from types import SimpleNamespace

import pytest

from core.settings import load_settings
from powerbi.refresh.auth import ServicePrincipalToken
from powerbi.refresh.client import RefreshClient
from powerbi.refresh.configuration import client_from_settings, is_configured, missing_settings, not_configured_message
from powerbi.refresh.entries import already_running
from powerbi.refresh.errors import ApiError, PowerBIError, ServiceUnavailable, TokenError
from powerbi.refresh.transport import Pacing
from tests.powerbi.fakes import ACCEPT, END, Plan, Reply

STANDARD_BODY = {"notifyOption": "NoNotification"}
ENHANCED_BODY = {"type": "Full", "commitMode": "transactional", "retryCount": 0}
ALREADY_400 = Reply(
    400, {"error": {"code": "InvalidRequest", "message": "Invalid dataset refresh request. Another refresh request is already executing"}}
)
ALREADY_409 = Reply(409, {"error": {"code": "Conflict", "message": "The refresh operation is already in progress"}})
CREDENTIALS_FAILED = json.dumps({
    "errorCode": "ModelRefreshFailed_CredentialsNotSpecified",
    "errorDescription": "The credentials provided for the SQL source are invalid. Table: FactSales.",
})  # fmt: skip


def ago(seconds: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds)


def bearer_tokens(pbi) -> set[str]:
    return {r.headers.get("authorization") for r in pbi.requests}


# -- success ---------------------------------------------------------------------------------


def test_a_standard_refresh_is_triggered_found_in_the_history_and_followed_to_completed(make_client, pbi, identity, clock):
    pbi.plans.append(Plan([{"status": "Unknown"}, {"status": "Unknown"}, {"status": "Completed"}], duration=42.5))
    result = make_client().refresh()

    (ours,) = pbi.ours()
    assert result.ok and result.status == "completed" and result.service_status == "Completed"
    assert result.refresh_id == ours.request_id and result.refresh_type == "standard"
    assert result.started_at == ours.started
    assert result.duration_seconds == 42.5 and result.ended_at - result.started_at == dt.timedelta(seconds=42.5)
    assert result.requested_at <= ours.started  # the fake stamps the start when it accepts our POST
    assert (result.triggers, result.polls, result.error_code, result.error_details) == (1, 3, None, [])
    (trigger,) = pbi.triggers
    assert trigger.json == STANDARD_BODY
    # history snapshot, POST, then three reads of the history (found Unknown, Unknown, Completed)
    assert [(r.method, r.query.get("$top")) for r in pbi.requests] == [("GET", "20"), ("POST", None), ("GET", "20"), ("GET", "20"), ("GET", "20")]
    assert result.http_calls == 5
    assert clock.sleeps == [5.0, 7.5]  # polls back off: 5 s growing by half up to 60 s
    # one token from the identity provider, sent as the bearer on every call (MSAL's cache after the first)
    assert len(identity.token_posts()) == 1 and bearer_tokens(pbi) == {f"Bearer {identity.issued[0]}"}
    assert identity.token_posts()[0].form["scope"] == "https://analysis.windows.net/powerbi/api/.default"


def test_an_enhanced_refresh_takes_its_id_from_location_and_polls_the_refresh_itself(make_client, pbi, identity, clock):
    pbi.plans.append(Plan([{"status": "Unknown", "extendedStatus": "NotStarted"}, {"status": "Unknown", "extendedStatus": "InProgress"},
                           {"status": "Completed", "extendedStatus": "Completed"}], duration=12.25))  # fmt: skip
    result = make_client(refresh_type="enhanced").refresh()

    (ours,) = pbi.ours()
    assert ours.refresh_type == "ViaEnhancedApi"
    assert result.ok and result.refresh_id == ours.request_id and result.refresh_type == "enhanced"
    assert result.duration_seconds == 12.25 and result.polls == 3
    (trigger,) = pbi.triggers
    assert trigger.json == ENHANCED_BODY  # no notifyOption with enhanced parameters
    reads = pbi.calls("GET", f"/refreshes/{ours.request_id}")
    assert len(reads) == 3  # 202, 202, 200 - not the activity id of the RequestId header
    assert clock.sleeps == [5.0, 7.5]
    assert bearer_tokens(pbi) == {f"Bearer {identity.issued[0]}"}


def test_an_enhanced_answer_without_location_uses_x_ms_request_id(make_client):
    client = make_client(refresh_type="enhanced")
    answer = SimpleNamespace(headers={"x-ms-request-id": "5a1b-refresh", "RequestId": "activity-id"})
    assert client._accepted_id(None, answer, set()) == "5a1b-refresh"
    answer.headers["Location"] = "https://api.powerbi.com/v1.0/myorg/groups/g/datasets/d/refreshes/from-location"
    assert client._accepted_id(None, answer, set()) == "from-location"


# -- failure ---------------------------------------------------------------------------------


def test_a_failed_refresh_is_reported_failed_with_the_service_error(make_client, pbi):
    pbi.plans.append(Plan([{"status": "Unknown"}, {"status": "Failed", "serviceExceptionJson": CREDENTIALS_FAILED}], duration=3.0))
    result = make_client().refresh()

    assert not result.ok and result.status == "failed" and result.service_status == "Failed"
    assert result.error_code == "ModelRefreshFailed_CredentialsNotSpecified"
    assert result.error_message == "The credentials provided for the SQL source are invalid. Table: FactSales."
    assert result.error_details == [
        "ModelRefreshFailed_CredentialsNotSpecified: The credentials provided for the SQL source are invalid. Table: FactSales."
    ]
    assert result.duration_seconds == 3.0
    assert "failed (service status Failed): ModelRefreshFailed_CredentialsNotSpecified: The credentials" in result.summary()


def test_an_enhanced_failure_surfaces_its_messages(make_client, pbi):
    messages = [{"code": "DMTS_DatasourceHasNoCredentialError", "message": "Data source error: no credentials.", "type": "Error"},
                {"code": "Info", "message": "partition FactSales skipped", "type": "Warning"}]  # fmt: skip
    failed = {"status": "Failed", "extendedStatus": "Failed", "messages": messages}
    pbi.plans.append(Plan([{"status": "Unknown", "extendedStatus": "InProgress"}, failed]))
    result = make_client(refresh_type="enhanced").refresh()

    assert result.status == "failed" and not result.ok
    assert (result.error_code, result.error_message) == ("DMTS_DatasourceHasNoCredentialError", "Data source error: no credentials.")
    assert result.error_details == ["DMTS_DatasourceHasNoCredentialError: Data source error: no credentials."]


@pytest.mark.parametrize(
    "step, status",
    [
        ({"status": "Failed"}, "failed"),
        ({"status": "Cancelled"}, "cancelled"),
        ({"status": "Disabled"}, "disabled"),
        ({"status": "Failed", "extendedStatus": "TimedOut"}, "failed"),
        ({"status": "Completed", "extendedStatus": "Failed"}, "failed"),  # extendedStatus is the precise one
    ],
)
def test_a_refresh_that_did_not_complete_is_never_reported_as_success(make_client, pbi, step, status):
    pbi.plans.append(Plan([{"status": "Unknown"}, step]))
    result = make_client().refresh()
    assert result.status == status and not result.ok
    assert result.service_status == step.get("extendedStatus", step["status"])
    assert result.error_code == result.service_status  # no service error JSON: the state is the code
    assert "completed" not in result.summary()


# -- throttles, transient errors -------------------------------------------------------------


def test_a_429_on_trigger_waits_the_retry_after_then_succeeds(make_client, pbi, clock, caplog):
    pbi.trigger_script = [Reply(429, {"error": {"code": "TooManyRequests", "message": "slow down"}}, {"Retry-After": "7"}), ACCEPT]
    caplog.set_level(logging.WARNING)
    result = make_client().refresh()

    assert result.ok and result.triggers == 1
    assert len(pbi.triggers) == 2 and len(pbi.ours()) == 1
    assert clock.sleeps[0] == 7.0  # the Retry-After, not our own backoff (2 s)
    assert "HTTP 429 Too Many Requests (throttled); retry 1 of 5 in 7 s" in caplog.text


def test_a_429_while_polling_is_honoured_too(make_client, pbi, clock):
    pbi.plans.append(Plan([{"status": "Unknown"}, Reply(429, None, {"Retry-After": "11"}), {"status": "Completed"}]))
    result = make_client().refresh()
    assert result.ok and clock.sleeps == [5.0, 11.0]


def test_a_transient_503_while_polling_does_not_fail_a_refresh_that_then_succeeds(make_client, pbi, clock):
    busy = Reply(503, {"error": {"code": "ServiceUnavailable", "message": "try again"}})
    pbi.plans.append(Plan([{"status": "Unknown"}, busy, {"status": "Unknown"}, {"status": "Completed"}], duration=30.0))
    result = make_client().refresh()
    assert result.ok and result.duration_seconds == 30.0 and result.polls == 3
    assert clock.sleeps == [5.0, 2.0, 7.5]  # poll, retry after 2 s, poll


def test_an_outage_longer_than_one_calls_retries_only_skips_polls(make_client, pbi, clock):
    busy = Reply(503, {"error": {"code": "ServiceUnavailable", "message": "down"}})
    pbi.plans.append(Plan([{"status": "Unknown"}] + [busy] * 7 + [{"status": "Completed"}]))
    result = make_client().refresh()
    assert result.ok
    # poll 2: 6 attempts (1 + 5 retries: 2, 4, 8, 16, 30 s) all 503 -> skipped; poll 3: 503, retry, Completed
    assert clock.sleeps == [5.0, 2.0, 4.0, 8.0, 16.0, 30.0, 7.5, 2.0]


def test_5xx_on_trigger_gives_up_after_bounded_retries(make_client, pbi, clock):
    pbi.trigger_script = [Reply(500, {"error": {"code": "InternalError", "message": "boom"}})] * 6
    with pytest.raises(ServiceUnavailable, match=r"POST .*/refreshes: HTTP 500 InternalError boom; gave up after 6 attempts"):
        make_client().refresh()
    assert len(pbi.triggers) == 6 and not pbi.ours()
    assert clock.sleeps == [2.0, 4.0, 8.0, 16.0, 30.0]


def test_an_ambiguous_trigger_failure_that_started_the_refresh_is_adopted_not_doubled(make_client, pbi):
    # the first POST started the refresh but answered 500; the retry is told a refresh is running: ours
    pbi.trigger_script = [Reply(500, {"error": {"code": "InternalError", "message": "boom"}}, takes_effect=True), ALREADY_400]
    result = make_client().refresh()
    (ours,) = pbi.ours()
    assert result.ok and result.refresh_id == ours.request_id
    assert len(pbi.triggers) == 2 and result.waited_for == []


# -- already running -------------------------------------------------------------------------


@pytest.mark.parametrize("refusal", [ALREADY_400, ALREADY_409], ids=["400", "409"])
def test_when_a_refresh_is_already_running_we_wait_for_it_then_trigger_ours(make_client, pbi, clock, refusal, caplog):
    scheduled = pbi.add_history("Scheduled", ago(120), [{"status": "Unknown"}] * 3 + [{"status": "Completed"}])
    pbi.trigger_script = [refusal, ACCEPT]
    caplog.set_level(logging.WARNING)
    result = make_client().refresh()

    (ours,) = pbi.ours()
    assert result.ok and result.refresh_id == ours.request_id != scheduled.request_id
    assert result.waited_for == [scheduled.request_id] and result.triggers == 2
    assert len(pbi.triggers) == 2 and all(t.json == STANDARD_BODY for t in pbi.triggers)
    assert result.waited_seconds == 5.0 + 7.5 + 11.25  # its 4th read (snapshot before our POST, then 3 looks) says Completed
    assert f"HTTP {refusal.status} {refusal.body['error']['code']}" in caplog.text and "waiting for it to end" in caplog.text
    assert result.requested_at >= pbi.triggers[1].at - dt.timedelta(seconds=1)  # the accepted request's time


def test_waiting_for_a_running_refresh_is_bounded_by_the_timeout(make_client, pbi, clock):
    scheduled = pbi.add_history("Scheduled", ago(60), [{"status": "Unknown"}])  # never ends
    pbi.trigger_script = [ALREADY_409]
    result = make_client(timeout_seconds=120).refresh()
    assert result.status == "timed_out" and result.refresh_id is None and not pbi.ours()
    assert result.waited_for == [scheduled.request_id] and sum(clock.sleeps) == 120
    assert "ours was never triggered" in result.note and "no refresh of ours was accepted" in result.note


def test_other_4xx_fail_at_once_with_the_service_error(make_client, pbi, clock):
    limit = "You have exceeded the amount of refreshes allowed per day. Please try again tomorrow"
    pbi.trigger_script = [Reply(400, {"error": {"code": "InvalidRequest", "message": limit}})]
    with pytest.raises(ApiError) as raised:
        make_client().refresh()
    assert (raised.value.status, raised.value.code, raised.value.service_message) == (400, "InvalidRequest", limit)
    assert f"HTTP 400 InvalidRequest: {limit}" in str(raised.value)
    assert len(pbi.triggers) == 1 and clock.sleeps == []


def test_a_wrong_dataset_names_the_settings_to_check(make_client, pbi):
    with pytest.raises(ApiError, match="HTTP 404 ItemNotFound.*check CIP_POWERBI_WORKSPACE_ID and CIP_POWERBI_DATASET_ID"):
        make_client(dataset_id="no-such-dataset").refresh()


def test_the_fake_refuses_a_call_without_a_valid_token(make_client, pbi):
    with pytest.raises(ApiError, match="HTTP 401 TokenExpired.*Service principals can use Fabric APIs"):
        make_client(token=lambda: "forged-token").refresh()
    assert pbi.requests[0].headers["authorization"] == "Bearer forged-token"


@pytest.mark.parametrize("message", [m for m in (ALREADY_400.body["error"]["message"], "RefreshInProgress", "Another refresh is in progress")])
def test_already_running_is_recognised_by_status_code_and_message(message):
    assert already_running(400, "InvalidRequest", message)
    assert already_running(409, None, None)
    assert not already_running(400, "InvalidRequest", "You have exceeded the amount of refreshes allowed per day")
    assert not already_running(403, "Forbidden", "already")


# -- tokens ----------------------------------------------------------------------------------


def test_a_wrong_secret_is_a_clear_error_without_the_secret(make_client, pbi, identity, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "Wr0ng-Secret-Value-99"
    with pytest.raises(TokenError) as raised:
        make_client(secret=wrong).refresh()
    message = str(raised.value)
    assert "invalid_client" in message and "AADSTS7000215" in message and "check CIP_POWERBI_CLIENT_SECRET" in message
    assert wrong not in message and wrong not in caplog.text and identity.client_secret not in caplog.text
    assert identity.token_posts()[0].form["client_secret"] == wrong  # it was sent - to the identity provider only
    assert pbi.requests == []  # nothing reached Power BI


def test_an_expired_secret_rejected_by_the_identity_provider(make_client, pbi, identity, caplog):
    identity.reject_secret = True
    caplog.set_level(logging.DEBUG)
    with pytest.raises(TokenError, match="check CIP_POWERBI_CLIENT_SECRET") as raised:
        make_client().refresh()
    assert identity.client_secret not in str(raised.value) and identity.client_secret not in caplog.text


def test_an_unknown_client_id_or_tenant_names_its_setting(make_client, identity, ca_file):
    with pytest.raises(TokenError, match="AADSTS700016.*check CIP_POWERBI_CLIENT_ID"):
        make_client(client_id="not-my-app").refresh()
    other_tenant = ServicePrincipalToken("fabrikam", identity.client_id, identity.client_secret, authority_host=identity.url, verify=ca_file)
    with pytest.raises(TokenError) as raised:
        other_tenant()
    assert str(raised.value) == (
        f"Cannot sign in to Power BI: the identity service has no configuration for authority {identity.url}/fabrikam "
        "(HTTP 400 invalid_tenant - AADSTS90002: Tenant 'fabrikam' not found. Check to make sure you have the correct tenant ID.); "
        "check CIP_POWERBI_TENANT_ID and CIP_POWERBI_AUTHORITY_HOST"
    )


def test_a_configured_ca_bundle_wins_over_requests_ca_bundle_in_the_environment(make_client, identity, pbi, monkeypatch):
    # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE point at the system CAs (this machine sets both), which do
    # not know the fakes' CA: the client passes verify per request, so the configured bundle wins
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    monkeypatch.setenv("CURL_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    assert make_client().refresh().ok
    # without the bundle (verify=True: the environment's CAs) both sides fail at once, naming the setting
    system_cas = ServicePrincipalToken(identity.tenant, identity.client_id, identity.client_secret, authority_host=identity.url)
    with pytest.raises(TokenError, match="TLS verification of .* failed; check CIP_POWERBI_CA_BUNDLE"):
        system_cas()
    tls_failed = r"GET /v1.0/myorg/.*/refreshes\?\$top=20: TLS verification of 127.0.0.1:\d+ failed; check CIP_POWERBI_CA_BUNDLE"
    with pytest.raises(PowerBIError, match=tls_failed):
        make_client(verify=True).refresh()
    assert len(pbi.requests) == 3  # snapshot, POST, history of the successful run: the TLS failure was not retried


# -- finding our refresh, and what "finished" means ------------------------------------------


def test_a_standard_refresh_without_an_id_is_ours_not_an_older_scheduled_one(make_client, pbi, clock):
    old_scheduled = pbi.add_history("Scheduled", ago(3600), [{"status": "Completed"}])
    recent_api = pbi.add_history("ViaApi", ago(3), [{"status": "Completed"}], duration=1.0)  # inside the skew window
    pbi.plans.append(Plan([{"status": "Unknown"}, {"status": "Completed"}], duration=8.0, hidden_reads=2))
    result = make_client().refresh()

    (ours,) = [r for r in pbi.ours() if r is not recent_api]
    assert result.refresh_id == ours.request_id not in (old_scheduled.request_id, recent_api.request_id)
    assert result.ok and result.duration_seconds == 8.0
    assert clock.sleeps == [2.0, 4.0, 5.0]  # two looks miss it (backoff 2, 4 s), then one poll


def test_our_refresh_is_the_earliest_new_api_refresh_at_or_after_our_request(make_client):
    client = make_client()
    requested = dt.datetime(2024, 5, 1, 6, 0, 0, tzinfo=dt.UTC)

    def entry(request_id, seconds, refresh_type="ViaApi"):
        return {"requestId": request_id, "refreshType": refresh_type, "startTime": (requested + dt.timedelta(seconds=seconds)).isoformat()}

    entries = [entry("later-api", 40), entry("ours", 1), entry("scheduled", 0.5, "Scheduled"), entry("old", -3600), entry("known", 2)]
    assert client._ours(entries, {"known"}, requested)["requestId"] == "ours"
    # the service's clock is behind ours: a start inside the skew allowance, the closest one
    assert client._ours([entry("skewed", -4), entry("older", -20), entry("old", -3600)], set(), requested)["requestId"] == "skewed"
    assert client._ours([entry("old", -3600), entry("scheduled", 5, "Scheduled")], set(), requested) is None


def test_an_accepted_refresh_that_never_shows_up_is_an_error_not_a_success(make_client, pbi):
    pbi.plans.append(Plan(hidden_reads=1_000))
    with pytest.raises(PowerBIError, match="accepted the refresh .* did not appear in the refresh history after 8 looks"):
        make_client().refresh()


def test_unknown_with_an_end_time_is_not_finished_enhanced(make_client, pbi, clock):
    pbi.plans.append(Plan([
        {"status": "Unknown", "extendedStatus": "InProgress", "endTime": END},
        {"status": "Unknown", "extendedStatus": "NotStarted", "endTime": END},
        {"status": "Completed", "extendedStatus": "Completed"},
    ], duration=20.0))  # fmt: skip
    result = make_client(refresh_type="enhanced").refresh()
    assert result.ok and result.polls == 3 and clock.sleeps == [5.0, 7.5]


def test_unknown_with_an_end_time_is_not_finished_standard(make_client, pbi, clock):
    pbi.plans.append(Plan([{"status": "Unknown", "endTime": END}, {"status": "Unknown", "endTime": END}, {"status": "Failed"}]))
    result = make_client().refresh()
    assert result.status == "failed" and result.polls == 3


# -- timeout ---------------------------------------------------------------------------------


def test_the_overall_timeout_stops_waiting_without_cancelling(make_client, pbi, clock):
    pbi.plans.append(Plan([{"status": "Unknown"}]))  # runs forever
    started = clock.now
    result = make_client(timeout_seconds=600).refresh()

    (ours,) = pbi.ours()
    assert result.status == "timed_out" and not result.ok and result.refresh_id == ours.request_id
    assert clock.now - started == 600 and sum(clock.sleeps) == 600
    assert clock.sleeps[:5] == [5.0, 7.5, 11.25, 16.875, 25.3125] and max(clock.sleeps) == 60.0
    assert result.polls == len(clock.sleeps) + 1  # a last look at the deadline
    assert "stopped waiting after 600 s" in result.note and "NOT cancelled" in result.note
    assert not pbi.calls("DELETE")


# -- secrets ---------------------------------------------------------------------------------


def test_neither_the_secret_nor_the_token_appear_in_logs_or_results(make_client, pbi, identity, caplog):
    caplog.set_level(logging.DEBUG)
    pbi.plans.append(Plan([{"status": "Unknown"}, {"status": "Failed", "serviceExceptionJson": CREDENTIALS_FAILED}]))
    client = make_client()
    result = client.refresh()
    token = identity.issued[0]
    for text in (caplog.text, repr(result), result.summary(), repr(client.transport._token), repr(vars(result))):
        assert identity.client_secret not in text and token not in text


# -- settings --------------------------------------------------------------------------------


def test_settings_decide_whether_power_bi_is_configured(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in ("TENANT_ID", "CLIENT_ID", "CLIENT_SECRET", "WORKSPACE_ID", "DATASET_ID"):
        monkeypatch.delenv(f"CIP_POWERBI_{name}", raising=False)
    empty = load_settings()
    assert not is_configured(empty) and len(missing_settings(empty)) == 5
    assert "not configured" in not_configured_message(empty) and "CIP_POWERBI_CLIENT_SECRET" in not_configured_message(empty)
    partial = load_settings(powerbi_tenant_id="t", powerbi_client_id="c", powerbi_client_secret="s", powerbi_workspace_id="  ")
    assert missing_settings(partial) == ["CIP_POWERBI_WORKSPACE_ID", "CIP_POWERBI_DATASET_ID"]
    with pytest.raises(ValueError, match="CIP_POWERBI_WORKSPACE_ID, CIP_POWERBI_DATASET_ID"):
        client_from_settings(partial)


def test_a_client_from_settings_refreshes_the_configured_dataset(identity, pbi, ca_file, clock):
    settings = load_settings(
        powerbi_tenant_id=identity.tenant, powerbi_client_id=identity.client_id, powerbi_client_secret=identity.client_secret,
        powerbi_workspace_id=pbi.workspace, powerbi_dataset_id=pbi.dataset, powerbi_refresh_type="enhanced",
        powerbi_authority_host=identity.url, powerbi_api_url=pbi.api_url, powerbi_ca_bundle=ca_file, powerbi_refresh_timeout_seconds=900,
    )  # fmt: skip
    client = client_from_settings(settings, clock=clock.monotonic, sleep=clock.sleep)
    assert isinstance(client, RefreshClient) and client.timeout_seconds == 900 and client.pacing == Pacing()
    result = client.refresh()
    assert result.ok and result.refresh_type == "enhanced" and pbi.triggers[0].json == ENHANCED_BODY
