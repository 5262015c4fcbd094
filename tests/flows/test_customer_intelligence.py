"""The main flow on a generated data set: every hop's real result - raw CSV, warehouse, analytics,
the Power BI refresh (against the local fake identity and Power BI services over HTTPS) - the
artifacts and the executive outputs, read back."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest
import trustme
from pptx import Presentation
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort

from flows.customer_intelligence import ARTIFACT_KEYS, customer_intelligence
from flows.parameters import PipelineParameters
from tests.flows.conftest import query, warehouse_file
from tests.powerbi.fakes import FakeIdentity, FakePowerBI


@pytest.fixture(scope="module")
def run(drops, tmp_path_factory, prefect_api):
    """One run of the main flow on the whole generated export, Power BI configured to the fakes
    (module-scoped: about 10 s). Returns the folder, the result and the fake Power BI service."""
    folder = tmp_path_factory.mktemp("main-flow")
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    with FakeIdentity(ca) as identity, FakePowerBI(ca, identity) as power_bi, pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        for variable in ("CIP_INPUTS", "CIP_WORK_DIR", "CIP_WAREHOUSE_URL", "CIP_OUTPUT_DIR", "CIP_CHUNK_ROWS", "CIP_POWERBI_REFRESH_TYPE"):
            patch.delenv(variable, raising=False)
        power_bi_settings = {
            "TENANT_ID": identity.tenant, "CLIENT_ID": identity.client_id, "CLIENT_SECRET": identity.client_secret,
            "WORKSPACE_ID": power_bi.workspace, "DATASET_ID": power_bi.dataset, "AUTHORITY_HOST": identity.url,
            "API_URL": power_bi.api_url, "CA_BUNDLE": str(folder / "ca.pem"),
        }  # fmt: skip
        for name, value in power_bi_settings.items():
            patch.setenv(f"CIP_POWERBI_{name}", value)
        result = customer_intelligence(PipelineParameters(inputs=[drops.whole], output_dir=folder / "reports"))
    return folder, result, power_bi


def stream(folder, name: str, sql: str):
    parquet = (folder / ".cip" / "clean" / name).as_posix()
    with duckdb.connect() as connection:
        return connection.execute(sql.replace("STREAM", f"read_parquet('{parquet}')")).fetchone()


def test_the_ledger_is_balanced_and_matches_the_cleaning(run):
    folder, result, _ = run
    ledger = result.reports.ledger
    assert ledger["rows"].sum() == 4_000  # every raw row has exactly one disposition
    assert set(ledger["disposition"]) == {"sale", "return", "excluded"}
    (item,) = result.load.files
    assert not item.loaded_before
    assert int(ledger.loc[ledger["disposition"] == "sale", "rows"].sum()) == item.sales["rows"]
    assert (folder / "reports" / "cleaning_ledger.csv").is_file()
    assert result.outputs[0] == folder / "reports" / "cleaning_ledger.csv"  # then the executive outputs


def test_the_facts_equal_the_clean_streams(run):
    folder, result, _ = run
    database = warehouse_file(folder)
    sales_rows, sales_revenue = stream(folder, "sales.parquet", "SELECT count(*), round(sum(round(revenue, 4)), 2) FROM STREAM")
    (returns_rows,) = stream(folder, "returns.parquet", "SELECT count(*) FROM STREAM")
    ((fact_rows, fact_revenue),) = query(database, "SELECT count(*), round(sum(revenue), 2) FROM dw.fact_sales")
    assert fact_rows == sales_rows == result.load.files[0].build.sales_lines_loaded
    assert float(fact_revenue) == pytest.approx(float(sales_revenue), abs=0.01)
    assert query(database, "SELECT count(*) FROM dw.fact_returns") == [(returns_rows,)]
    assert query(database, "SELECT count(DISTINCT line_key) FROM dw.fact_sales") == [(sales_rows,)]


def test_the_single_customer_view_holds_every_buyer(run):
    folder, result, _ = run
    (buyers,) = stream(folder, "sales.parquet", "SELECT count(DISTINCT customer_id) FROM STREAM")
    scv = query(warehouse_file(folder), "SELECT count(*), count(DISTINCT segment) FROM mart.single_customer_view")
    assert scv == [(buyers, result.reports.figures.segments)]
    assert result.reports.figures.rfm_customers == buyers
    assert result.reports.segments["customers"].sum() == buyers
    assert result.reports.segments["revenue"].sum() == pytest.approx(result.reports.figures.sales_revenue, abs=0.05)
    cohorts = result.reports.cohorts
    first_purchases = query(warehouse_file(folder), "SELECT count(*) FROM dw.dim_customer WHERE first_purchase_at IS NOT NULL")
    assert cohorts["cohort_size"].sum() == first_purchases[0][0]  # each buyer in exactly one cohort


def test_every_step_ran_and_the_power_bi_dataset_was_refreshed_once_the_marts_were_built(run):
    _, result, power_bi = run
    status = {step.step: step.status for step in result.steps}
    for step in ("ingest", "deploy", "warehouse reports", f"build {result.load.files[0].path.name}", "analytics", "power bi refresh"):
        assert status[step] == "completed"
    assert status["executive outputs"] == "completed"
    assert list(status).index("power bi refresh") > list(status).index("analytics")
    assert list(status).index("executive outputs") > list(status).index("power bi refresh")
    (ours,) = power_bi.ours()  # exactly one refresh, triggered by the run
    assert power_bi.triggers[0].json == {"notifyOption": "NoNotification"}
    detail = next(s.detail for s in result.steps if s.step == "power bi refresh")
    assert detail == f"standard refresh {ours.request_id} of dataset {power_bi.dataset} completed in 42.5 s"
    assert all(step.seconds >= 0 for step in result.steps)


def test_artifacts_are_published_under_stable_keys(run):
    folder, result, _ = run
    with get_client(sync_client=True) as client:
        newest_first = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=list(ARTIFACT_KEYS.values()))), sort=ArtifactSort.CREATED_DESC
        )
    artifacts = {}  # this run's artifact of each key: other tests of the session publish under the same keys
    for artifact in newest_first:
        artifacts.setdefault(artifact.key, artifact)
    assert set(artifacts) == set(ARTIFACT_KEYS.values())
    ledger = artifacts[ARTIFACT_KEYS["ledger"]]
    assert ledger.type == "table" and "(balanced)" in ledger.description
    assert "rows in 4,000 = " in ledger.description
    segments = artifacts[ARTIFACT_KEYS["segments"]]
    assert str(result.reports.segments["segment"].iloc[0]) in str(segments.data)
    assert artifacts[ARTIFACT_KEYS["run"]].type == "markdown"
    assert "| analytics | completed |" in artifacts[ARTIFACT_KEYS["run"]].data
    assert "Product association:" in artifacts[ARTIFACT_KEYS["analytics"]].data
    assert artifacts[ARTIFACT_KEYS["rules"]].type == "table"
    outputs = artifacts[ARTIFACT_KEYS["outputs"]]
    assert (folder / "reports").resolve().as_uri() in outputs.data  # a link artifact: markdown [text](link)
    assert "cleaning_ledger.csv" in outputs.description


def test_artifact_tables_are_formatted_for_people(run):
    """Counts with thousands separators, money with two decimals, shares as percentages."""
    _, result, _ = run
    with get_client(sync_client=True) as client:
        (cohorts, *_) = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[ARTIFACT_KEYS["cohorts"]])), sort=ArtifactSort.CREATED_DESC
        )
    first = result.reports.cohorts.iloc[0]
    row = json.loads(cohorts.data)[0] if isinstance(cohorts.data, str) else cohorts.data[0]
    assert row["cohort_size"] == f"{int(first['cohort_size']):,}"
    assert row["month_1"] == f"{100 * first['month_1']:.1f}%"
    assert row["revenue"] == f"{first['revenue']:,.2f}"


def test_analytics_results_land_in_the_marts(run):
    folder, result, _ = run
    database = warehouse_file(folder)
    detail = next(s.detail for s in result.steps if s.step == "analytics")
    ((rules,),) = query(database, "SELECT count(*) FROM mart.product_association")
    assert detail.startswith(f"{rules:,} rules, churn AUC ")
    # every customer of the Single Customer View is scored, and the view agrees with the mart table
    assert query(database, "SELECT count(*) FROM mart.single_customer_view WHERE churn_probability IS NULL OR is_whale IS NULL") == [(0,)]
    mismatched = query(
        database,
        "SELECT count(*) FROM mart.single_customer_view AS v JOIN mart.customer_churn_risk AS c ON c.customer_id = v.customer_id "
        "WHERE c.churn_probability <> v.churn_probability",
    )
    assert mismatched == [(0,)]


def test_the_executive_outputs_are_written_and_read_back_with_the_marts_numbers(run):
    """The last hop of the brief: deck, self-contained dashboard and extracts in the output folder."""
    folder, result, _ = run
    reports = folder / "reports"
    deck_file, dashboard_file = reports / "customer_intelligence.pptx", reports / "customer_intelligence.html"
    assert {deck_file, dashboard_file} <= set(result.outputs)
    deck = Presentation(str(deck_file))
    assert len(deck.slides) >= 8
    charts = [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    assert charts, "the deck's charts are native PowerPoint charts"
    html = dashboard_file.read_text(encoding="utf-8")
    assert '<script src="http' not in html and len(html) > 1_000_000  # plotly inlined: works offline
    customers = query(warehouse_file(folder), "SELECT count(*) FROM mart.single_customer_view")[0][0]
    extracts = [path for path in result.outputs if path.parent.name == "extracts"]
    assert any(path.suffix == ".csv" for path in extracts) and any(path.suffix == ".xlsx" for path in extracts)
    membership = max((pd.read_csv(path) for path in extracts if path.suffix == ".csv"), key=len)
    assert len(membership) == customers  # segment membership: every customer of the Single Customer View
