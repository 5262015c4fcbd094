"""A load killed at any point is recovered by the next run, which converges to exactly the state
of an uninterrupted run; two runs never interleave (the pipeline lock)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL

from etl.lock import PipelineLocked
from flows.load_warehouse import load_warehouse
from flows.parameters import PipelineParameters
from tests.flows.conftest import CIP_VARIABLES, checksums, query, warehouse_file

RUNNER = Path(__file__).with_name("interrupted_run.py")
PROJECT = Path(__file__).resolve().parents[2]
STOP_TIMEOUT = 180  # seconds for the child to reach its stopping point


@pytest.fixture(scope="module")
def reference(drops, tmp_path_factory, prefect_api) -> dict:
    """Checksums of the warehouse after an uninterrupted load of both drops."""
    folder = tmp_path_factory.mktemp("uninterrupted")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        for variable in CIP_VARIABLES:
            patch.delenv(variable, raising=False)
        load_warehouse(PipelineParameters(inputs=[drops.first, drops.second], chunk_rows=1_000))
    return checksums(warehouse_file(folder))


def start_stopping_run(point: str, folder: Path, files: list[Path]) -> tuple[subprocess.Popen, Path]:
    """The load flow in a child process that stops (sleeps) at `point` of the second file's load."""
    marker = folder / f"stopped-{point}"
    env = {k: v for k, v in os.environ.items() if k not in CIP_VARIABLES}
    env.update(PREFECT_API_URL=PREFECT_API_URL.value(), PREFECT_SERVER_ANALYTICS_ENABLED="false", PYTHONPATH=str(PROJECT))
    child = subprocess.Popen(
        [sys.executable, str(RUNNER), point, str(marker), *map(str, files)],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(folder / f"child-{point}.log", "w"),
    )
    deadline = time.monotonic() + STOP_TIMEOUT
    while not marker.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            child.wait(10)
            pytest.fail(f"the child did not reach {point}: {(folder / f'child-{point}.log').read_text()[-3000:]}")
        time.sleep(0.2)
    return child, marker


def kill(child: subprocess.Popen) -> None:
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(30) == -signal.SIGKILL


@pytest.mark.parametrize("point", ["staging", "staged", "building"])
def test_a_run_killed_mid_load_is_completed_by_the_next_run(point, workspace, drops, reference):
    child, _ = start_stopping_run(point, workspace, [drops.first, drops.second])
    kill(child)

    database = warehouse_file(workspace)
    # what the kill left: the first file complete, the second batch open and none of its lines
    assert query(database, "SELECT batch_id, status FROM etl.batch ORDER BY batch_id") == [(1, "succeeded"), (2, "running")]
    assert query(database, "SELECT count(*) FROM dw.fact_sales WHERE batch_id = 2") == [(0,)]
    assert query(database, "SELECT DISTINCT source FROM dw.fact_sales") == [(drops.first.name,)]

    rerun = load_warehouse(PipelineParameters(inputs=[drops.first, drops.second], chunk_rows=1_000))

    assert [(f.path.name, f.loaded_before) for f in rerun.files] == [(drops.first.name, True), (drops.second.name, False)]
    assert query(database, "SELECT batch_id, status FROM etl.batch ORDER BY batch_id") == [(1, "succeeded"), (2, "failed"), (3, "succeeded")]
    assert checksums(database) == reference  # every etl, dw and mart table as after an uninterrupted run


def test_a_second_run_exits_with_a_clear_message_while_one_holds_the_lock(workspace, drops):
    child, _ = start_stopping_run("staged", workspace, [drops.first, drops.second])
    try:
        started = time.monotonic()
        with pytest.raises(
            PipelineLocked,
            match=r"another pipeline run holds the lock on this warehouse "
            r"\(process \d+ on .+ since .+; lock file .+warehouse\.duckdb\.lock\)\. try again when it has finished\.",
        ):
            load_warehouse(PipelineParameters(inputs=[drops.first]))
        with pytest.raises(PipelineLocked, match="It did not finish within the wait"):
            load_warehouse(PipelineParameters(inputs=[drops.first], lock_wait_seconds=2))
        assert time.monotonic() - started >= 2
    finally:
        kill(child)
    # the lock died with its holder: the next run goes ahead at once
    assert [f.loaded_before for f in load_warehouse(PipelineParameters(inputs=[drops.first])).files] == [True]
