"""Prefect flows: thin orchestration over analytics/, etl/, powerbi/ and warehouse/.

    flows/customer_intelligence.py  customer_intelligence - the whole pipeline (the main flow)
    flows/load_warehouse.py         load_warehouse - ingest new files -> clean -> stage -> build
    flows/refresh_power_bi.py       refresh_power_bi - the Power BI refresh on its own

Deployments are in prefect.yaml; details in docs/orchestration.md.
"""

import os

# Prefect's telemetry cannot reach the internet from where this runs; set before prefect is imported.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from flows import one_line_errors  # after the telemetry setting above

one_line_errors.install()
