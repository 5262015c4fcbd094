"""Run the load flow in this process and stop, at a chosen point of the second file's load, until killed.

    python tests/flows/interrupted_run.py POINT MARKER FILE...

POINT is where the second batch stops: `staging` (inside the staging transaction, after its
first chunk), `staged` (staging committed, before EXEC etl.BuildWarehouse) or `building` (inside
the etl.BuildWarehouse transaction, after the sales facts were replaced). On reaching it, the
process writes MARKER and sleeps; the test kills it with SIGKILL. Run by tests/flows/test_recovery.py.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from warehouse.duckdb_engine import DuckDBEngine
from warehouse.tsql.runtime import Runtime

POINT, MARKER, FILES = sys.argv[1], Path(sys.argv[2]), [Path(p) for p in sys.argv[3:]]
SECOND_BATCH = 2  # a fresh warehouse: the first file is batch 1


def stop_here() -> None:
    MARKER.write_text("stopped")
    while True:
        time.sleep(60)


def bulk_load(self, table, frame, _original=DuckDBEngine.bulk_load):
    rows = _original(self, table, frame)
    if POINT == "staging" and table == "stg.sale_line" and frame["batch_id"][0].as_py() == SECOND_BATCH:
        stop_here()  # its first chunk is in, the staging transaction is open
    return rows


def execute(self, procedure, /, _original=DuckDBEngine.execute, **parameters):
    if POINT == "staged" and procedure == "etl.BuildWarehouse" and parameters.get("batch_id") == SECOND_BATCH:
        stop_here()  # staging committed, the build not started
    return _original(self, procedure, **parameters)


def call(self, name, arguments, _original=Runtime.call):
    batch_id = {key.lstrip("@").lower(): value for key, value in arguments.items()}.get("batch_id")
    if POINT == "building" and name.lower() == "etl.loadreturnsfact" and batch_id == SECOND_BATCH:
        stop_here()  # inside etl.BuildWarehouse's transaction: dimensions and sales facts written
    return _original(self, name, arguments)


DuckDBEngine.bulk_load, DuckDBEngine.execute, Runtime.call = bulk_load, execute, call

if __name__ == "__main__":
    from flows.load_warehouse import load_warehouse
    from flows.parameters import PipelineParameters

    load_warehouse(PipelineParameters(inputs=FILES, chunk_rows=1_000))
    print("finished without stopping", file=sys.stderr)
    sys.exit(3)
