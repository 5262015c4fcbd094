"""Load new raw export files into the warehouse: ingest -> clean -> stage -> build, one batch per file.

Each file is one batch, recognised by the SHA-256 of its bytes (etl.batch.content_hash): a file
loaded before is skipped, whatever its name. A batch is staged in one transaction and built in
one (etl.BuildWarehouse: dimensions, facts by line key, ledger, marts rebuilt), so a run killed at
any point leaves the warehouse as after the last finished file, and the next run loads the rest.
The whole flow holds the pipeline lock. Details: docs/orchestration.md.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

import warehouse
from analytics.cleaning.clean_exports import CleanedData, clean_exports
from analytics.ingest.readers import open_tables
from core.errors import UserError
from core.settings import Settings
from etl.deploy import Deployment, deploy_if_changed
from etl.load import Batch, build_batch, mark_failed, stage_batch, start_batch
from etl.lock import pipeline_lock
from etl.reports import WarehouseFigures
from flows.parameters import IO_RETRIES, PipelineParameters, StepOutcome, is_transient, timed

log = logging.getLogger(__name__)
HOUR = 3600
NOT_A_DROP = (".", "~$")  # hidden files and editors' lock files in the landing folder


@dataclass
class FileLoad:
    """One input file: its batch, and what loading it produced (nothing if loaded before)."""

    path: Path
    content_hash: str
    batch_id: int
    loaded_before: bool
    sales: dict[str, float] | None = None
    build: WarehouseFigures | None = None


@dataclass
class LoadResult:
    warehouse_url: str
    clean_folder: Path
    files: list[FileLoad] = field(default_factory=list)
    steps: list[StepOutcome] = field(default_factory=list)

    @property
    def loaded(self) -> list[FileLoad]:
        return [f for f in self.files if not f.loaded_before]


@task(cache_policy=NO_CACHE)
def find_inputs(landing: bool, settings: Settings) -> list[Path]:
    """The files to consider: the landing folder's drops in name order, or the input files.

    Every one is checked as cleaning will open it (a file, its container by content, its header
    and columns: `open_tables`) before the first file loads: a bad input fails the run with its
    UserError as the message, nothing loaded. `cip run` calls this before the flow starts too."""
    if landing:
        folder = settings.landing_dir
        if not folder.is_dir():
            create_landing_folder(folder)
        files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(NOT_A_DROP))
    else:
        files = list(settings.inputs)
    for path in files:
        open_tables(path)
    return files


def create_landing_folder(folder: Path) -> None:
    """A fresh clone has no landing folder yet: create it, empty (drops go there)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(
            f"landing folder {folder} does not exist and cannot be created ({error.strerror or error}); create it or set CIP_LANDING_DIR."
        ) from error
    log.info("Landing folder %s created (empty): drop export files there", folder)


@task(cache_policy=NO_CACHE)
def content_hash(path: Path) -> str:
    """SHA-256 of the file's bytes: the file's identity, whatever its name."""
    digest = hashlib.sha256()
    with open(path, "rb") as raw:
        for block in iter(lambda: raw.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@task(cache_policy=NO_CACHE, retry_condition_fn=is_transient, **IO_RETRIES)
def deploy_warehouse(url: str) -> Deployment:
    """Deploy sql/ when it changed since the warehouse's last deploy (keyed by content)."""
    with warehouse.connect(url) as engine:
        deployment = deploy_if_changed(engine)
    get_run_logger().info("%s", deployment.summary())
    return deployment


@task(cache_policy=NO_CACHE, retry_condition_fn=is_transient, **IO_RETRIES)
def open_batch(url: str, source: str, digest: str) -> Batch:
    """etl.StartBatch with the content hash: a new batch, or the earlier one that loaded it."""
    with warehouse.connect(url) as engine:
        return start_batch(engine, source, digest)


@task(cache_policy=NO_CACHE, timeout_seconds=4 * HOUR)
def clean_file(path: Path, clean_folder: Path, chunk_rows: int) -> CleanedData:
    """Clean one raw export into the clean streams and its ledger (analytics/cleaning/clean_exports.py)."""
    return clean_exports([path], clean_folder, chunk_rows)


@task(cache_policy=NO_CACHE, timeout_seconds=2 * HOUR, retry_condition_fn=is_transient, **IO_RETRIES)
def stage(url: str, cleaned: CleanedData, batch_id: int, chunk_rows: int) -> None:
    """Bulk-load the clean streams and the ledger into stg.* for the batch (one transaction)."""
    with warehouse.connect(url) as engine:
        stage_batch(engine, cleaned, cleaned.ledger.table(), chunk_rows=chunk_rows, batch_id=batch_id)


@task(cache_policy=NO_CACHE, timeout_seconds=2 * HOUR, retry_condition_fn=is_transient, **IO_RETRIES)
def build(url: str, batch_id: int, as_of_date) -> WarehouseFigures:
    """EXEC etl.BuildWarehouse: dimensions, facts, ledger and marts in one transaction."""
    with warehouse.connect(url) as engine:
        return build_batch(engine, batch_id, as_of_date=as_of_date)


@task(cache_policy=NO_CACHE, retry_condition_fn=is_transient, **IO_RETRIES)
def close_failed(url: str, batch_id: int) -> None:
    """Mark a batch whose file could not be cleaned as failed."""
    with warehouse.connect(url) as engine:
        mark_failed(engine, batch_id)


@flow(name="load-warehouse")
def load_warehouse(params: PipelineParameters = PipelineParameters()) -> LoadResult:
    """Load every new input file (or landing-folder drop) as its own batch, under the pipeline lock."""
    logger = get_run_logger()
    settings = params.settings()
    url = settings.resolved_warehouse_url
    result = LoadResult(url, settings.work_dir / "clean")
    with pipeline_lock(url, wait_seconds=params.lock_wait_seconds, on_wait=logger.warning):
        with timed("ingest", result.steps) as step:
            files = find_inputs(params.landing, settings)
            hashes = {path: content_hash(path) for path in files}
            step.detail = f"{len(files)} file(s) " + (f"in {settings.landing_dir}" if params.landing else "given")
        with timed("deploy", result.steps) as step:
            step.detail = deploy_warehouse(url).summary()
        for path, digest in hashes.items():
            result.files.append(_load_file(path, digest, params, settings, result))
    loaded = len(result.loaded)
    logger.info("%d file(s) loaded, %d already loaded before (skipped)", loaded, len(result.files) - loaded)
    return result


def _load_file(path: Path, digest: str, params: PipelineParameters, settings: Settings, result: LoadResult) -> FileLoad:
    logger = get_run_logger()
    url = result.warehouse_url
    batch = open_batch(url, path.name, digest)
    if batch.loaded_before:
        logger.info("%s: already loaded by batch %d (same SHA-256 %s...), skipped", path.name, batch.batch_id, digest[:12])
        return FileLoad(path, digest, batch.batch_id, loaded_before=True)
    logger.info("%s: loading as batch %d", path.name, batch.batch_id)
    with timed(f"clean {path.name}", result.steps) as step:
        try:
            cleaned = clean_file(path, result.clean_folder, settings.chunk_rows)
        except BaseException:
            close_failed(url, batch.batch_id)
            raise
        sales = cleaned.sales_summary()
        step.detail = f"{sum(cleaned.ledger.rows_in.values()):,} rows in, {sales['rows']:,} sales"
    with timed(f"stage {path.name}", result.steps) as step:
        stage(url, cleaned, batch.batch_id, settings.chunk_rows)
        step.detail = f"batch {batch.batch_id} staged"
    with timed(f"build {path.name}", result.steps) as step:
        summary = build(url, batch.batch_id, params.as_of_date)
        step.detail = f"batch {batch.batch_id}: {summary.sales_lines_loaded:,} sale lines, {summary.return_lines_loaded:,} return lines"
    return FileLoad(path, digest, batch.batch_id, loaded_before=False, sales=sales, build=summary)
