import os

# Prefect's telemetry cannot reach the internet here; set before anything imports prefect.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

import pickle

import pytest
from filelock import FileLock


@pytest.fixture(scope="session")
def prefect_api():
    """One Prefect API (a temporary server with its own database) for the whole session: each
    flow run without it would start a temporary server of its own (about 10 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture(scope="session")
def real_cleaned(tmp_path_factory):
    """The bundled UCI Online Retail file cleaned once per test run (a CleanedData: the parquet
    streams and the ledger), shared by every pytest-xdist worker through a lock and a pickle."""
    from analytics.cleaning.clean_exports import clean_exports  # imported here: only sessions that clean pay for it
    from core.paths import BUNDLED_DATA

    return once_per_run(tmp_path_factory, "real_cleaned", lambda folder: clean_exports([BUNDLED_DATA], folder / "clean"))


def once_per_run(tmp_path_factory, name: str, make):
    """`make(folder)`'s result, computed by the first worker that asks and read back by the others
    (pytest-xdist's recipe for session fixtures that run once). The result must pickle."""
    shared = tmp_path_factory.getbasetemp().parent if os.environ.get("PYTEST_XDIST_WORKER") else tmp_path_factory.getbasetemp()
    folder = shared / name
    result_file = folder / "result.pickle"
    with FileLock(str(shared / f"{name}.lock")):
        if result_file.is_file():
            return pickle.loads(result_file.read_bytes())
        folder.mkdir(exist_ok=True)
        result = make(folder)
        result_file.write_bytes(pickle.dumps(result))
        return result
