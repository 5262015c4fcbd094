"""The whole pipeline as one call: the steps in order, each delegated to the package that owns it.

Today: clean the raw exports (analytics), publish the cleaning ledger, deploy the warehouse
(sql/), stage the clean streams as a batch and build the star schema and the marts in T-SQL.
Each later step (analytics on the marts, Power BI refresh) is added here as it is built.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import warehouse
from analytics.clean_exports import CleanedData, clean_exports
from warehouse.load import BuildSummary, build_batch, stage_batch

log = logging.getLogger(__name__)

LEDGER_FILE = "cleaning_ledger.csv"
STEPS = 4


@dataclass
class PipelineResult:
    cleaned: CleanedData
    sales: dict[str, float]
    ledger_csv: Path
    warehouse_url: str
    build: BuildSummary


def run_pipeline(inputs: list[Path], work_dir: Path, out_dir: Path, chunk_rows: int, warehouse_url: str) -> PipelineResult:
    log.info("Step 1/%d: cleaning %d raw export file(s)", STEPS, len(inputs))
    cleaned = clean_exports(inputs, Path(work_dir) / "clean", chunk_rows)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ledger_csv = out_dir / LEDGER_FILE
    ledger = cleaned.ledger.table()
    ledger.to_csv(ledger_csv, index=False)
    log.info("Cleaning ledger written to %s", ledger_csv)

    with warehouse.connect(warehouse_url) as engine:
        log.info("Step 2/%d: deploying the warehouse schema and procedures (sql/)", STEPS)
        engine.deploy()
        log.info("Step 3/%d: loading the clean sales, returns and ledger into staging", STEPS)
        batch_id = stage_batch(engine, cleaned.folder, ledger, chunk_rows=chunk_rows)
        log.info("Step 4/%d: building dimensions, facts and marts for batch %d (EXEC etl.BuildWarehouse)", STEPS, batch_id)
        build = build_batch(engine, batch_id)
    log.info(
        "Warehouse built: %s sales lines, %s customers with a purchase, %d segments, as of %s",
        f"{build.fact_sales_rows:,}", f"{build.rfm_customers:,}", build.segments, build.as_of_date,
    )
    return PipelineResult(cleaned, cleaned.sales_summary(), ledger_csv, warehouse_url, build)
