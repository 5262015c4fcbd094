"""The cleaning step: raw export files in, three clean parquet streams and a ledger out.

Streams: ``sales.parquet``, ``returns.parquet`` (typed rows) and ``excluded.parquet`` (the rows
left out, as exported, with rule and reason). All inputs are checked before any row is read, and
the streams are written to a temporary folder that replaces the previous output only when every
file went through - a bad file never leaves half-written or mixed results behind.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from analytics.cleaning.ledger import Ledger
from analytics.cleaning.rules import EXCLUDED, RETURN, SALE, DuplicateTracker, classify_chunk
from analytics.ingest.formats import CANONICAL_COLUMNS
from analytics.ingest.readers import RawTable, open_tables
from core.errors import UserError
from core.progress import progress

log = logging.getLogger(__name__)

TYPED_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("source_row", pa.int64()),
        ("invoice_no", pa.string()),
        ("stock_code", pa.string()),
        ("description", pa.string()),
        ("quantity", pa.int64()),
        ("invoice_date", pa.timestamp("us")),
        ("unit_price", pa.float64()),
        ("customer_id", pa.int64()),
        ("country", pa.string()),
        ("product_type", pa.string()),
        ("revenue", pa.float64()),
    ]
)
EXCLUDED_SCHEMA = pa.schema(
    [("source", pa.string()), ("source_row", pa.int64())]
    + [(column, pa.string()) for column in CANONICAL_COLUMNS]
    + [("rule", pa.string()), ("reason", pa.string())]
)
STREAM_FILES = {SALE: "sales.parquet", RETURN: "returns.parquet", EXCLUDED: "excluded.parquet"}


@dataclass
class CleanedData:
    """What the cleaning step wrote: the folder of streams, the ledger and the export format of each input.

    The loader reads the typed streams through `sales_file` and `returns_file`, so only this
    module knows the streams' file names.
    """

    folder: Path
    ledger: Ledger
    formats: dict[str, str] = field(default_factory=dict)  # table label -> export format detected

    def stream(self, disposition: str) -> Path:
        """The parquet stream of one disposition: 'sale', 'return' or 'excluded'."""
        return self.folder / STREAM_FILES[disposition]

    @property
    def sales_file(self) -> Path:
        """The typed sales stream (parquet)."""
        return self.stream(SALE)

    @property
    def returns_file(self) -> Path:
        """The typed returns stream (parquet)."""
        return self.stream(RETURN)

    def sales_summary(self) -> dict[str, float]:
        """Rows, customers, invoices and revenue of the sales stream (read from disk by DuckDB)."""
        rows, customers, invoices, revenue = duckdb.sql(
            "SELECT count(*), count(DISTINCT customer_id), count(DISTINCT invoice_no), coalesce(sum(revenue), 0) "
            f"FROM read_parquet('{self.sales_file.as_posix()}')"
        ).fetchall()[0]
        return {"rows": rows, "customers": customers, "invoices": invoices, "revenue": round(revenue, 2)}


class _StreamWriter:
    """Appends chunks to one parquet file; writes an empty file with the schema if nothing came."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self._writer = pq.ParquetWriter(path, schema, compression="zstd")
        self._schema = schema

    def write(self, frame) -> None:
        if len(frame):
            self._writer.write_table(pa.Table.from_pandas(frame, schema=self._schema, preserve_index=False))

    def close(self) -> None:
        self._writer.close()


def clean_exports(inputs: list[Path], out_folder: Path, chunk_rows: int = 100_000) -> CleanedData:
    """Clean every input into `out_folder` (replaced only on success) and return the ledger."""
    _reject_repeated(inputs)
    tables = [table for path in inputs for table in open_tables(Path(path))]  # fails fast on a bad file
    _label_uniquely(tables)
    for table in tables:
        log.info("%s: detected %s%s", table.label, table.export_format.name, f" ({table.encoding})" if table.encoding else "")

    out_folder = Path(out_folder)
    out_folder.parent.mkdir(parents=True, exist_ok=True)
    staging = out_folder.with_name(f"{out_folder.name}.partial-{uuid.uuid4().hex[:8]}")
    staging.mkdir()
    try:
        ledger = _write_streams(tables, staging, chunk_rows)
        ledger.check_balanced()
        _replace_folder(staging, out_folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return CleanedData(out_folder, ledger, {t.label: t.export_format.name for t in tables})


def _reject_repeated(inputs: list[Path]) -> None:
    seen = set()
    for path in inputs:
        if Path(path).resolve() in seen:
            raise UserError(f"{path} is listed twice in the inputs; give each file once.")
        seen.add(Path(path).resolve())


def _label_uniquely(tables: list[RawTable]) -> None:
    """Name tables by file name, or by full path where two inputs share a name (monthly drops in folders)."""
    counts = Counter(table.label for table in tables)
    for table in tables:
        if counts[table.label] > 1:
            table.label = str(table.path) + table.label[len(table.path.name) :]


def _write_streams(tables: list[RawTable], folder: Path, chunk_rows: int) -> Ledger:
    writers = {
        SALE: _StreamWriter(folder / STREAM_FILES[SALE], TYPED_SCHEMA),
        RETURN: _StreamWriter(folder / STREAM_FILES[RETURN], TYPED_SCHEMA),
        EXCLUDED: _StreamWriter(folder / STREAM_FILES[EXCLUDED], EXCLUDED_SCHEMA),
    }
    ledger = Ledger()
    duplicates = DuplicateTracker()  # one for the whole run: a row repeated in a later monthly drop is a duplicate
    try:
        for table in tables:
            ledger.add_source(table.label)
            with progress(f"Cleaning {table.label}", table.size, unit_bytes=table.size_in_bytes) as update:
                for raw in table.chunks(chunk_rows):
                    chunk = classify_chunk(raw.frame, table.export_format.date_format, duplicates)
                    ledger.record(table.label, len(raw.frame), chunk)
                    rows = chunk.rows.assign(source=table.label, source_row=chunk.rows.index)
                    writers[SALE].write(rows[rows["disposition"] == SALE])
                    writers[RETURN].write(rows[rows["disposition"] == RETURN])
                    writers[EXCLUDED].write(chunk.quarantine.assign(source=table.label, source_row=chunk.quarantine.index))
                    update(raw.done)
            log.info("%s: %s rows read", table.label, f"{ledger.rows_in[table.label]:,}")
    finally:
        for writer in writers.values():
            writer.close()
    return ledger


def _replace_folder(new: Path, target: Path) -> None:
    """Swap `new` into place of `target` with renames, so readers never see a mix of both."""
    retired = target.with_name(f"{target.name}.old-{uuid.uuid4().hex[:8]}")
    if target.exists():
        target.rename(retired)
    new.rename(target)
    shutil.rmtree(retired, ignore_errors=True)
