"""`cip run` checks every input before the flow starts: a bad one is one line and exit 2, with no
Prefect output and nothing written. The flows (deployments do not go through the CLI) run the
same checks and fail with the same line, nothing loaded."""

import os
import subprocess
import sys

import pytest
from prefect.client.orchestration import get_client
from typer.testing import CliRunner

from cip.cli import app
from core.paths import PROJECT_ROOT
from flows.customer_intelligence import customer_intelligence
from flows.load_warehouse import load_warehouse
from flows.parameters import PipelineParameters
from tests.analytics.raw_fixtures import ONLINE_RETAIL, TYPED_ROWS, write_csv
from tests.analytics.wrong_files import WRONG_FILES, not_an_export

runner = CliRunner()
CIP_VARIABLES = ("CIP_INPUTS", "CIP_WORK_DIR", "CIP_WAREHOUSE_URL", "CIP_OUTPUT_DIR", "CIP_CHUNK_ROWS", "CIP_LANDING_DIR")


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """An empty working folder and no CIP_* variables from outside. No Prefect API on purpose:
    a run that reached the flow would start a temporary server and say so."""
    monkeypatch.chdir(tmp_path)
    for variable in CIP_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    return tmp_path


def wrong_file(folder, name):
    path = folder / name
    path.write_bytes(WRONG_FILES[name][0])
    return path


def assert_refused(result, line: str, workspace) -> None:
    """Exit 2, exactly one line of output, and nothing written: no warehouse, no clean data, no reports."""
    assert result.exit_code == 2, result.output
    assert result.output == f"error: {line}\n"
    assert not (workspace / ".cip").exists() and not (workspace / "output").exists()


@pytest.mark.parametrize("name", WRONG_FILES)
def test_a_file_that_is_no_export_is_one_line_before_the_run(workspace, name):
    path = wrong_file(workspace, name)
    result = runner.invoke(app, ["run", "--input", str(path)])
    assert_refused(result, not_an_export(path, WRONG_FILES[name][1]), workspace)


def test_a_bad_file_after_a_good_one_loads_nothing(workspace):
    good = write_csv(TYPED_ROWS, workspace / "drop.csv", ONLINE_RETAIL)
    chart = wrong_file(workspace, "chart.png")
    result = runner.invoke(app, ["run", "--input", str(good), "--input", str(chart)])
    assert_refused(result, not_an_export(chart, "a PNG image"), workspace)


def test_a_wrong_landing_drop_is_refused_before_the_run(workspace):
    landing = workspace / "landing"
    landing.mkdir()
    write_csv(TYPED_ROWS, landing / "2011-01.csv", ONLINE_RETAIL)
    wrong_file(landing, "report.pdf")
    result = runner.invoke(app, ["run", "--landing"])
    assert_refused(result, not_an_export("landing/report.pdf", "a PDF document"), workspace)


def test_an_empty_folder_is_a_folder_not_a_missing_file(workspace):
    (workspace / "drops").mkdir()
    result = runner.invoke(app, ["run", "--input", "drops"])
    line = "drops: is an empty folder, not a file; give export files with --input, or point CIP_LANDING_DIR at it and use --landing."
    assert_refused(result, line, workspace)


def test_a_folder_of_files_names_one_to_give(workspace):
    drops = workspace / "drops"
    drops.mkdir()
    for month in ("2011-02", "2011-01"):
        write_csv(TYPED_ROWS, drops / f"{month}.csv", ONLINE_RETAIL)
    (drops / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    result = runner.invoke(app, ["run", "--input", "drops"])
    line = (
        "drops: is a folder, not a file; give the files inside it with --input (e.g. --input drops/2011-01.csv), "
        "or point CIP_LANDING_DIR at it and use --landing."
    )
    assert_refused(result, line, workspace)


def test_landing_and_input_together_are_refused(workspace):
    good = write_csv(TYPED_ROWS, workspace / "drop.csv", ONLINE_RETAIL)
    (workspace / "landing").mkdir()
    result = runner.invoke(app, ["run", "--landing", "--input", str(good)])
    line = "--landing loads the new files of the landing folder (CIP_LANDING_DIR), --input the files given; use one or the other."
    assert_refused(result, line, workspace)


def test_the_missing_column_message_is_unchanged_and_comes_first(workspace):
    unrelated = workspace / "customers.csv"
    unrelated.write_text("id,name,email\n1,Ada,ada@example.com\n")
    result = runner.invoke(app, ["run", "--input", unrelated.name])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: customers.csv: missing required column(s) InvoiceNo, StockCode, Description,")
    assert "  Found: id, name, email\n" in result.output
    assert len(result.output.splitlines()) == 4  # the message's own four lines and nothing else
    assert not (workspace / ".cip").exists()


def test_as_a_user_runs_it_one_line_on_stderr(workspace):
    chart = wrong_file(workspace, "chart.png")
    env = {k: v for k, v in os.environ.items() if k not in CIP_VARIABLES and not k.startswith("PREFECT_API")}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "cip", "run", "--input", "chart.png"], cwd=workspace, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert done.stderr == f"error: {not_an_export(chart.name, 'a PNG image')}\n"
    assert done.stdout == ""
    assert sorted(p.name for p in workspace.iterdir()) == ["chart.png"]


# --- the same checks inside the flows: deployments do not go through the CLI -------------------


@pytest.mark.parametrize("pipeline", [load_warehouse, customer_intelligence], ids=["load-warehouse", "customer-intelligence"])
def test_a_deployed_run_fails_with_the_same_line_and_loads_nothing(workspace, prefect_api, pipeline):
    landing = workspace / "landing"
    landing.mkdir()
    write_csv(TYPED_ROWS, landing / "2011-01.csv", ONLINE_RETAIL)
    wrong_file(landing, "chart.png")
    state = pipeline(PipelineParameters(landing=True), return_state=True)
    line = not_an_export("landing/chart.png", "a PNG image")
    assert state.is_failed()
    assert state.message.endswith(f"UserError: {line}"), state.message
    with get_client(sync_client=True) as client:
        assert client.read_flow_run(state.state_details.flow_run_id).state.message == state.message  # what the UI shows
    assert not (workspace / ".cip" / "warehouse.duckdb").exists()  # no batch, no deploy
    assert not (workspace / ".cip" / "clean").exists()
