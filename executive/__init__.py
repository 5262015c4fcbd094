"""The executive handoff of every run: a PowerPoint deck, a self-contained HTML dashboard and
marketing extracts (CSV, XLSX), all from one read of the warehouse (`data.py`).

It sits between the flows and the jobs: it reads the marts through `etl.reports` and the engine,
and knows nothing of Prefect or the CLI.
"""
