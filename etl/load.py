"""Load the cleaning step's output into the warehouse and build it, on either engine.

    batch_id = stage_batch(engine, streams, ledger)     # etl.StartBatch, stg.* bulk loads
    figures = build_batch(engine, batch_id)             # EXEC etl.BuildWarehouse (closes the batch)

`streams` names the typed parquet streams the cleaning step wrote (its `CleanedData` has
`sales_file` and `returns_file`); `ledger` is the cleaning ledger (columns source, disposition,
rule, rows, revenue).
The parquet files are streamed record batch by record batch, so a 10M-row file is never held in
memory whole. Everything after staging happens in T-SQL (sql/procedures), so a DBA can re-run a
build with one EXEC.

Every staged line carries a content key, ``line_key``: a hash of the line's identity (invoice,
stock code, quantity, unit price, invoice date, customer) and its occurrence number among the
lines of the file with that identity. The same line in two overlapping monthly drops gets the
same key, so the facts (unique on line_key) never hold it twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from core.progress import progress
from etl.reports import WarehouseFigures
from warehouse.engine import Engine
from warehouse.errors import WarehouseError

log = logging.getLogger(__name__)

LINE_COLUMNS = [
    "source", "source_row", "invoice_no", "stock_code", "description", "quantity",
    "invoice_date", "unit_price", "customer_id", "country", "product_type", "revenue",
]  # fmt: skip
MONEY = pa.decimal128(19, 4)  # DECIMAL(19, 4) in sql/schema: exact cents and tenths of cents
# The line's identity, as text that reads the same whatever produced the parquet file; the
# description and country are attributes (a corrected description is the same line).
LINE_IDENTITY = (
    "invoice_no",
    "stock_code",
    "CAST(quantity AS VARCHAR)",
    "CAST(CAST(unit_price AS DECIMAL(19, 4)) AS VARCHAR)",
    "strftime(invoice_date, '%Y-%m-%d %H:%M:%S')",
    "CAST(customer_id AS VARCHAR)",
)
LEDGER_COLUMNS = {"source": "source", "disposition": "disposition", "rule": "rule_name", "rows": "row_count", "revenue": "revenue"}
DEFAULT_CHUNK_ROWS = 100_000


class CleanStreams(Protocol):
    """The typed sale and return streams of the cleaning step (its CleanedData is one)."""

    @property
    def sales_file(self) -> Path: ...

    @property
    def returns_file(self) -> Path: ...


@dataclass(frozen=True)
class Batch:
    """A batch as etl.StartBatch returns it: status running (new) or succeeded (loaded before)."""

    batch_id: int
    source: str
    status: str

    @property
    def loaded_before(self) -> bool:
        return self.status == "succeeded"


def load_batch(
    engine: Engine,
    streams: CleanStreams,
    ledger: pd.DataFrame,
    *,
    as_of_date: dt.date | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> WarehouseFigures:
    """Stage the clean streams and the ledger as a new batch, then build the warehouse for it."""
    batch_id = stage_batch(engine, streams, ledger, chunk_rows=chunk_rows)
    return build_batch(engine, batch_id, as_of_date=as_of_date)


def start_batch(engine: Engine, source: str, content_hash: str | None = None) -> Batch:
    """EXEC etl.StartBatch: a new running batch, or - for a content hash that was loaded
    before - that earlier succeeded batch (the caller skips the file)."""
    row = engine.execute("etl.StartBatch", source=source, content_hash=content_hash).rows.iloc[0]
    return Batch(int(row["batch_id"]), str(row["source"]), str(row["status"]))


def stage_batch(
    engine: Engine, streams: CleanStreams, ledger: pd.DataFrame, *, chunk_rows: int = DEFAULT_CHUNK_ROWS, batch_id: int | None = None
) -> int:
    """Empty staging and bulk-load the streams and the ledger into stg.* stamped with the batch
    id, in one transaction; returns the batch id. Opens a batch (etl.StartBatch) unless
    `batch_id` names one already opened; on failure the batch is marked failed."""
    tables = {"stg.sale_line": Path(streams.sales_file), "stg.return_line": Path(streams.returns_file)}
    missing = [str(path) for path in tables.values() if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"no clean stream at {', '.join(missing)}: run the cleaning step first")
    if batch_id is None:
        batch_id = start_batch(engine, batch_source(ledger)).batch_id
    try:
        with engine.transaction():
            engine.execute("etl.ClearStaging")
            for table, path in tables.items():
                rows = 0
                with progress(f"Staging {table}", pq.ParquetFile(path).metadata.num_rows) as update:
                    for chunk in staged_chunks(path, batch_id, chunk_rows):
                        rows += engine.bulk_load(table, chunk)
                        update(rows)
                log.info("staged %s rows of %s into %s (batch %d)", f"{rows:,}", path.name, table, batch_id)
            engine.bulk_load("stg.cleaning_ledger", staged_ledger(ledger, batch_id))
    except (WarehouseError, OSError, pa.ArrowException):
        mark_failed(engine, batch_id)
        raise
    return batch_id


def build_batch(engine: Engine, batch_id: int, *, as_of_date: dt.date | None = None) -> WarehouseFigures:
    """EXEC etl.BuildWarehouse for a staged batch; on failure the batch is marked failed and
    the warehouse is left as it was (the build is one transaction)."""
    try:
        with progress(f"Building batch {batch_id} (etl.BuildWarehouse: dimensions, facts, marts)", None):
            result = engine.execute("etl.BuildWarehouse", batch_id=batch_id, as_of_date=as_of_date)
    except WarehouseError:
        mark_failed(engine, batch_id)
        raise
    return WarehouseFigures.from_row(result.result_sets[-1].iloc[0])  # the first result set is the closed batch


def batch_source(ledger: pd.DataFrame) -> str:
    """What etl.batch records as the batch's source: the input labels of the ledger."""
    sources = list(dict.fromkeys(ledger["source"])) or ["(no input)"]
    text = ", ".join(sources)
    return text if len(text) <= 400 else text[:397] + "..."


def staged_chunks(path: Path, batch_id: int, chunk_rows: int) -> Iterator[pa.Table]:
    """The parquet stream as Arrow tables of at most `chunk_rows` rows, typed for stg.*: money
    as DECIMAL(19, 4) (rounded to the nearest, so both engines receive exact values), batch_id
    first, line_key last."""
    if pq.ParquetFile(path).metadata.num_rows == 0:
        return
    reader = duckdb.connect().sql(_with_line_key(path)).to_arrow_reader(chunk_rows)
    for record_batch in reader:
        table = pa.Table.from_batches([record_batch])
        for money in ("unit_price", "revenue"):
            table = table.set_column(table.schema.get_field_index(money), money, pc.cast(table[money], MONEY))
        yield table.add_column(0, "batch_id", pa.repeat(pa.scalar(batch_id, pa.int64()), table.num_rows))


def _with_line_key(path: Path) -> str:
    """DuckDB (in-process, on the parquet file) adds the content key: md5 of the identity, then
    the occurrence number in file order, so repeated identities keep every line."""
    identity = ", ".join(LINE_IDENTITY)
    columns = ", ".join(LINE_COLUMNS)
    parquet = str(path).replace("'", "''")
    return (
        f"SELECT {columns}, concat(identity_hash, '-', row_number() OVER (PARTITION BY identity_hash ORDER BY source, source_row)) AS line_key "
        f"FROM (SELECT *, md5(concat_ws('|', {identity})) AS identity_hash FROM read_parquet('{parquet}')) "
        "ORDER BY source, source_row"
    )


def staged_ledger(ledger: pd.DataFrame, batch_id: int) -> pd.DataFrame:
    frame = ledger[list(LEDGER_COLUMNS)].rename(columns=LEDGER_COLUMNS)
    frame.insert(0, "batch_id", batch_id)
    frame["row_count"] = frame["row_count"].astype("int64")
    frame["revenue"] = frame["revenue"].round(2)
    return frame


def mark_failed(engine: Engine, batch_id: int) -> None:
    """Close a batch as failed (etl.FinishBatch); an error doing so is logged, not raised."""
    try:
        engine.execute("etl.FinishBatch", batch_id=batch_id, status="failed")
    except WarehouseError:  # the original error matters more than this one
        log.exception("could not mark batch %d as failed", batch_id)
