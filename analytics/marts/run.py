"""The analytics run on the warehouse: read `dw` and `mart`, compute every analysis, replace the result tables in `mart`.

    import warehouse
    from analytics.marts.parameters import AnalyticsParameters
    from analytics.marts.run import analyse_warehouse

    with warehouse.connect("duckdb:///.cip/warehouse.duckdb") as engine:
        run = analyse_warehouse(engine, AnalyticsParameters())
        print("\\n".join(run.summary_lines()))

Reading is ``analytics.marts.inputs``, computing ``analytics.marts.compute``, writing
``analytics.marts.tables``. Everything is computed before anything is written; then one
``engine.transaction()`` empties and bulk-loads every result table, so readers see either the
previous run's results or this run's, never a mix. Every row is stamped with one run id.

It knows nothing of Prefect or of the CLI: a flow step calls ``analyse_warehouse(engine, params)``.
See docs/analytics.md ("Where the results land").
"""

from __future__ import annotations

import datetime as dt
import uuid

from analytics.marts.compute import AnalyticsRun, compute
from analytics.marts.inputs import read_inputs
from analytics.marts.parameters import AnalyticsParameters
from analytics.marts.tables import write_results
from core.progress import progress
from warehouse.engine import Engine


def new_run_id(now: dt.datetime | None = None) -> str:
    """A run id that sorts by start time and is unique: ``20111210T093000Z-1a2b3c4d``."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def analyse_warehouse(engine: Engine, params: AnalyticsParameters | None = None, *, run_id: str | None = None) -> AnalyticsRun:
    """Read the warehouse, run every analysis, replace the mart result tables in one transaction.

    Parameters
    ----------
    engine : warehouse.Engine
        A deployed and built warehouse (DuckDB or SQL Server).
    params : AnalyticsParameters or None (default: None = the defaults)
    run_id : str or None
        The id stamped on every row; None = a new one (``new_run_id``).

    Returns
    -------
    AnalyticsRun. Raises ValueError (nothing written) when the warehouse cannot support a step,
    e.g. data shorter than the segment window plus the churn horizons.
    """
    params = params or AnalyticsParameters()
    run_id = run_id or new_run_id()
    with progress("Analytics: reading the warehouse, computing, writing the marts", 3) as update:
        inputs = read_inputs(engine)
        update(1)
        tables, run = compute(inputs, params, run_id)
        update(2)
        write_results(engine, tables)
        update(3)
    return run
