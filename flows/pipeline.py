"""The whole pipeline as one call: the steps in order, each delegated to the package that owns it.

Today: clean the raw exports (analytics) and publish the cleaning ledger. Each later step
(warehouse load, marts, analytics, Power BI refresh) is added here as it is built.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from analytics.clean_exports import CleanedData, clean_exports

log = logging.getLogger(__name__)

LEDGER_FILE = "cleaning_ledger.csv"


@dataclass
class PipelineResult:
    cleaned: CleanedData
    sales: dict[str, float]
    ledger_csv: Path


def run_pipeline(inputs: list[Path], work_dir: Path, out_dir: Path, chunk_rows: int) -> PipelineResult:
    log.info("Step 1/1: cleaning %d raw export file(s)", len(inputs))
    cleaned = clean_exports(inputs, Path(work_dir) / "clean", chunk_rows)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ledger_csv = out_dir / LEDGER_FILE
    cleaned.ledger.table().to_csv(ledger_csv, index=False)
    log.info("Cleaning ledger written to %s", ledger_csv)
    return PipelineResult(cleaned, cleaned.sales_summary(), ledger_csv)
