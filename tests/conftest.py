import os

# Prefect's telemetry cannot reach the internet here; set before anything imports prefect.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def prefect_api():
    """One Prefect API (a temporary server with its own database) for the whole session: each
    flow run without it would start a temporary server of its own (about 10 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield
