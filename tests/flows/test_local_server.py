"""`prefect deploy --all` against a local Prefect server, and one deployment run through a worker.

Starts `prefect server start` on 127.0.0.1 (a free port, a temporary PREFECT_HOME), creates the
process work pool, deploys prefect.yaml, starts a process worker with the CIP_* settings of a
temporary workspace, runs the landing-folder deployment and reads the finished flow run back
from the API. Everything it starts is stopped (by process group) with bounded timeouts.
About a minute; marked `server`, and part of `make test`.
"""

from __future__ import annotations

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
    (workspace / "landing").mkdir(parents=True)
    shutil.copy(drops.first, workspace / "landing")
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
        server = start("server", "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui")
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
        }
        start("worker", "worker", "start", "--pool", "cip-process", "--limit", "1", env=worker_env, cwd=PROJECT)
        flow_run = httpx.post(f"{api}/deployments/{deployments['landing-folder']['id']}/create_flow_run", json={}, timeout=10).json()

        def finished() -> bool:
            state = httpx.get(f"{api}/flow_runs/{flow_run['id']}", timeout=5).json()["state"]
            return state["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")

        _wait_for(finished, "the flow run to finish", logs / "worker.log")
        read_back = httpx.get(f"{api}/flow_runs/{flow_run['id']}", timeout=5).json()
        assert read_back["state"]["type"] == "COMPLETED", (logs / "worker.log").read_text()[-4000:]
        assert read_back["deployment_id"] == deployments["landing-folder"]["id"]
        assert read_back["parameters"] == {"params": {"landing": True, "lock_wait_seconds": 300}}
        assert read_back["total_run_time"] > 0
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
