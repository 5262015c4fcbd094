"""The README's "Scheduled runs" steps against a real local Prefect server, a worker and real time.

Starts `prefect server start` on 127.0.0.1 (a free port, a temporary PREFECT_HOME), creates the
process work pool and deploys prefect.yaml as the README says, starts a process worker with the
CIP_* settings of an empty workspace (a fresh clone: no landing folder, no warehouse), then:
the daily-full-run deployment completes there; a schedule (an interval of a few seconds, added
for the test beside prefect.yaml's cron) makes the server's scheduler create landing-folder runs
that the worker picks up and completes, loading the dropped file; power-bi-refresh completes
(skipped: not configured). Everything it starts is stopped (by process group) with bounded
timeouts. About two minutes; marked `server`, and part of `make test`.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.flows.conftest import CIP_VARIABLES, query, warehouse_file

PROJECT = Path(__file__).resolve().parents[2]
PREFECT = [sys.executable, "-m", "prefect"]
TIMEOUT = 180  # seconds for the server to answer and for the flow run to finish
SCHEDULE_SECONDS = 5  # the test's schedule of the landing-folder deployment


def scheduled_runs(api: str, deployment_id: str) -> list[dict]:
    """The deployment's flow runs that its schedule created."""
    response = httpx.post(f"{api}/flow_runs/filter", json={"flow_runs": {"deployment_id": {"any_": [deployment_id]}}}, timeout=10)
    response.raise_for_status()
    return [run for run in response.json() if run["auto_scheduled"]]


pytestmark = pytest.mark.server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the process group we started, SIGKILL it after 20 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def test_deploy_all_and_run_the_landing_deployment_through_a_worker(tmp_path, drops):
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if k not in CIP_VARIABLES and not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect-home"),
        PREFECT_API_URL=api,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_CLI_PROMPT="false",
        PYTHONPATH=str(PROJECT),
    )
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    started: list[subprocess.Popen] = []
    logs = tmp_path / "logs"
    logs.mkdir()

    def start(name: str, *args: str, **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(
            [*PREFECT, *args],
            env=kwargs.pop("env", env),
            stdout=open(logs / f"{name}.log", "w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **kwargs,
        )
        started.append(process)
        return process

    def run(*args: str) -> str:
        done = subprocess.run([*PREFECT, *args], env=env, cwd=PROJECT, capture_output=True, text=True, timeout=TIMEOUT)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    try:
        server_env = {**env, "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2", "PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS": "3"}
        server = start("server", "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui", env=server_env)
        _wait_for(lambda: httpx.get(f"{api}/health", timeout=2).status_code == 200, "the server to answer", logs / "server.log", server)

        run("work-pool", "create", "cip-process", "--type", "process")
        deployed = run("deploy", "--all")
        for name in ("daily-full-run", "landing-folder", "power-bi-refresh"):
            assert name in deployed

        deployments = {d["name"]: d for d in httpx.post(f"{api}/deployments/filter", json={}, timeout=10).json()}
        assert set(deployments) == {"daily-full-run", "landing-folder", "power-bi-refresh"}
        daily = httpx.get(f"{api}/deployments/{deployments['daily-full-run']['id']}/schedules", timeout=10).json()
        assert [(s["schedule"]["cron"], s["schedule"]["timezone"]) for s in daily] == [("0 6 * * *", "Europe/London")]

        worker_env = {
            **env,
            "CIP_WORK_DIR": str(workspace / ".cip"),
            "CIP_LANDING_DIR": str(workspace / "landing"),
            "CIP_OUTPUT_DIR": str(workspace / "output"),
            "PREFECT_WORKER_QUERY_SECONDS": "2",
        }
        start("worker", "worker", "start", "--pool", "cip-process", "--limit", "1", env=worker_env, cwd=PROJECT)

        def run_to_the_end(flow_run_id: str) -> dict:
            def finished() -> bool:
                state = httpx.get(f"{api}/flow_runs/{flow_run_id}", timeout=5).json()["state"]
                return state["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")

            _wait_for(finished, "the flow run to finish", logs / "worker.log")
            return httpx.get(f"{api}/flow_runs/{flow_run_id}", timeout=5).json()

        # a fresh clone: no landing folder yet, an empty warehouse - the daily run still completes
        daily_run = httpx.post(f"{api}/deployments/{deployments['daily-full-run']['id']}/create_flow_run", json={}, timeout=10).json()
        daily_run = run_to_the_end(daily_run["id"])
        assert daily_run["state"]["type"] == "COMPLETED", (logs / "worker.log").read_text()[-4000:]
        assert (workspace / "landing").is_dir()

        # a drop arrives; a schedule every few seconds: the scheduler, not the test, creates the runs
        shutil.copy(drops.first, workspace / "landing")
        landing_id = deployments["landing-folder"]["id"]
        anchor = dt.datetime.now(dt.UTC).isoformat()
        added = httpx.post(
            f"{api}/deployments/{landing_id}/schedules",
            json=[{"schedule": {"interval": SCHEDULE_SECONDS, "anchor_date": anchor}, "active": True}],
            timeout=10,
        )
        assert added.status_code == 201, added.text

        def a_scheduled_run_completed() -> bool:
            return any(run["state"]["type"] == "COMPLETED" for run in scheduled_runs(api, landing_id))

        _wait_for(a_scheduled_run_completed, "a scheduled landing-folder run to complete", logs / "worker.log")
        scheduled = [run for run in scheduled_runs(api, landing_id) if run["state"]["type"] == "COMPLETED"][0]
        assert scheduled["auto_scheduled"] is True  # created by the server's scheduler
        assert scheduled["parameters"] == {"params": {"landing": True, "lock_wait_seconds": 300}}
        assert scheduled["total_run_time"] > 0

        refresh_run = httpx.post(f"{api}/deployments/{deployments['power-bi-refresh']['id']}/create_flow_run", json={}, timeout=10).json()
        assert run_to_the_end(refresh_run["id"])["state"]["type"] == "COMPLETED"
    finally:
        for process in reversed(started):
            stop(process)

    database = warehouse_file(workspace)  # the worker's flow run loaded the landing file
    assert query(database, "SELECT source, status FROM etl.batch") == [(drops.first.name, "succeeded")]
    assert query(database, "SELECT count(*) > 0 FROM dw.fact_sales") == [(True,)]


def _wait_for(condition, what: str, log: Path, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"the process stopped while waiting for {what}: {log.read_text()[-3000:]}")
        try:
            if condition():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"timed out after {TIMEOUT} s waiting for {what}: {log.read_text()[-3000:]}")
