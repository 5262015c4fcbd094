"""The flows' parameters (validated before a run starts; a form in the Prefect UI) and the
pieces every step shares: its outcome, the I/O retry policy, the step timer."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.settings import Settings, load_settings
from warehouse.errors import ConnectError, ProcedureError

# SQL Server errors worth a retry: deadlock victim, lock timeout, Azure SQL failover/throttling.
TRANSIENT_SQL_ERRORS = frozenset({1205, 1222, 40197, 40501, 40613, 49918, 49919, 49920})
IO_RETRIES = dict(retries=2, retry_delay_seconds=[10, 60])  # only with retry_condition_fn=is_transient


class PipelineParameters(BaseModel):
    """What a run loads and where it writes. The warehouse URL and other credentials are not
    parameters (Prefect stores parameters): they come from CIP_* settings on the worker."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    landing: bool = Field(False, description="Load the new files of the landing folder (CIP_LANDING_DIR) instead of the input files.")
    inputs: list[Path] | None = Field(None, description="Raw export files to load; empty = CIP_INPUTS (the bundled data set). Ignored with landing.")
    as_of_date: dt.date | None = Field(None, description="As-of date of the RFM and cohort marts; empty = the day after the latest sale.")
    output_dir: Path | None = Field(None, description="Folder for reports and extracts; empty = CIP_OUTPUT_DIR.")
    chunk_rows: int | None = Field(None, ge=1_000, le=10_000_000, description="Rows read and cleaned at a time; empty = CIP_CHUNK_ROWS.")
    lock_wait_seconds: int = Field(
        0, ge=0, le=6 * 3600, description="How long to wait for another run that holds the pipeline lock (0 = fail at once)."
    )

    def settings(self) -> Settings:
        """CIP_* settings (environment, .env) with this run's parameters applied."""
        return load_settings(inputs=self.inputs or None, output_dir=self.output_dir, chunk_rows=self.chunk_rows)


@dataclass
class StepOutcome:
    """What one step did: completed or skipped (with the reason), how long it took."""

    step: str
    status: Literal["completed", "skipped"]
    seconds: float
    detail: str


@contextmanager
def timed(step: str, steps: list[StepOutcome]) -> Iterator[StepOutcome]:
    """Time a step; the block sets `detail` (and `status` if it skips) on the yielded outcome."""
    outcome = StepOutcome(step, "completed", 0.0, "")
    started = time.perf_counter()
    try:
        yield outcome
    finally:
        outcome.seconds = round(time.perf_counter() - started, 2)
    steps.append(outcome)


def is_transient(task, task_run, state) -> bool:
    """Retry condition: an I/O error (connection, file system, deadlock), never a data error."""
    error = state.data
    if isinstance(error, ProcedureError):
        return error.number in TRANSIENT_SQL_ERRORS
    return isinstance(error, (ConnectError, OSError, TimeoutError))
