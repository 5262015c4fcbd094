import os

# Prefect's telemetry cannot reach the internet here; set before anything imports prefect.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
