import os

# Prefect's telemetry cannot reach the internet here; set before anything imports prefect.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

import pytest


@pytest.fixture(scope="session")
def prefect_api():
    """One Prefect API (a temporary server with its own database) for the whole session: each
    flow run without it would start a temporary server of its own (about 10 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture(scope="session")
def real_cleaned(tmp_path_factory):
    """The bundled UCI Online Retail file, cleaned once per session: the parquet streams and the ledger (a CleanedData)."""
    from analytics.cleaning.clean_exports import clean_exports  # imported here: only sessions that clean pay for it
    from core.paths import BUNDLED_DATA

    return clean_exports([BUNDLED_DATA], tmp_path_factory.mktemp("real_cleaned") / "clean")
