"""Read raw export files in chunks, whatever their container: CSV (plain or gzip), xlsx, parquet.

`open_tables(path)` sniffs a file without reading it all and returns one `RawTable` per table of
rows (a CSV or parquet file is one table; an xlsx workbook has one per sheet). `RawTable.chunks()`
then yields DataFrames with the canonical column names and the raw values untouched (text for
CSV, Python objects for xlsx and parquet), so cleaning sees every row exactly as exported.
Memory is bounded by the chunk size, never by the file size.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from analytics.ingest.formats import ExportFormat, detect_format
from analytics.ingest.sniff import GZIP_CSV, PARQUET, XLSX, container_of
from core.errors import UserError

log = logging.getLogger(__name__)

_SNIFF_ROWS = 50


@dataclass
class RawChunk:
    frame: pd.DataFrame  # canonical columns, raw values; index = 1-based data row number
    done: int  # progress through the table, in the unit of RawTable.size


@dataclass
class RawTable:
    """One table of raw rows: a CSV or parquet file, or one sheet of a workbook."""

    path: Path
    label: str  # how the ledger and messages name it: file name, plus [sheet] for xlsx
    export_format: ExportFormat
    size: int  # total for progress: bytes on disk for CSV, rows for xlsx and parquet
    read_chunks: Callable[[int], Iterator[RawChunk]]
    encoding: str | None = None  # CSV only

    @property
    def size_in_bytes(self) -> bool:
        return self.encoding is not None

    def chunks(self, chunk_rows: int) -> Iterator[RawChunk]:
        return self.read_chunks(chunk_rows)


def open_tables(path: Path) -> list[RawTable]:
    """Detect the container (by content, sniff.py) and export format of `path`; raises UserError
    with what to do - for a folder, an empty file, a file that is no export (an image, a PDF,
    any binary), a missing column or header - before any row is read."""
    path = Path(path)
    container = container_of(path)
    if container == XLSX:
        return _open_workbook(path)
    if container == PARQUET:
        return [_open_parquet(path)]
    return [_open_csv(path, compressed=container == GZIP_CSV)]


# --- CSV -------------------------------------------------------------------------------------


def _open_binary(path: Path, compressed: bool) -> tuple[io.BufferedReader, io.IOBase]:
    """The file on disk (for progress in bytes) and the stream of CSV bytes to parse."""
    raw = path.open("rb")
    return raw, (gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw)


def detect_encoding(path: Path, compressed: bool) -> str:
    """UTF-8 if the whole file decodes as UTF-8, else ISO-8859-1 (the Kaggle data.csv).

    Checking the whole file costs one streaming pass but never guesses from a sample: a single
    'é' deep in a Latin-1 file would otherwise fail the run half-way.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    raw, stream = _open_binary(path, compressed)
    with raw, stream:
        try:
            while block := stream.read(1 << 22):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "ISO-8859-1"
        except (OSError, EOFError) as exc:
            raise UserError(f"{path}: cannot read the file ({exc}). Is it a complete .csv or .csv.gz?") from exc
    return "utf-8-sig"  # utf-8 that also drops a byte-order mark when one is present


def _csv_header(path: Path, compressed: bool, encoding: str) -> list[str]:
    raw, stream = _open_binary(path, compressed)
    with raw, stream:
        first_line = io.TextIOWrapper(stream, encoding=encoding, newline="").readline()
    if not first_line.strip():
        raise UserError(f"{path}: the file has no header row. Export it again with its header.")
    return next(csv.reader([first_line]))


def _csv_batches(path: Path, compressed: bool, encoding: str, header: list[str], block_bytes: int):
    """The file on disk (for progress) and a streaming reader of record batches, every value as text.

    Text only: typing happens in cleaning, where a bad value is quarantined with its row instead of
    failing the file. pyarrow's reader is strict about the number of fields on every line (pandas'
    chunked reader silently drops extra fields at some chunk boundaries).
    """
    raw = path.open("rb")
    stream = pa.PythonFile(raw, mode="r")
    if compressed:
        stream = pa.CompressedInputStream(stream, "gzip")
    try:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(encoding="utf8" if encoding == "utf-8-sig" else encoding, block_size=block_bytes, use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types={name: pa.string() for name in header}, strings_can_be_null=False),
        )
    except pa.ArrowInvalid as exc:  # the reader parses its first block on opening
        raw.close()
        raise _malformed(path, exc) from exc
    return raw, reader


def _open_csv(path: Path, compressed: bool) -> RawTable:
    encoding = detect_encoding(path, compressed)
    header = _csv_header(path, compressed, encoding)
    raw, reader = _csv_batches(path, compressed, encoding, header, 1 << 16)
    with raw:
        try:
            first = next(iter(reader), None)
        except pa.ArrowInvalid as exc:
            raise _malformed(path, exc) from exc
    export_format = detect_format(header, first.to_pylist() if first is not None else [], str(path))

    def read_chunks(chunk_rows: int) -> Iterator[RawChunk]:
        # Small blocks keep the progress bar moving; they are regrouped into chunks of chunk_rows.
        raw, reader = _csv_batches(path, compressed, encoding, header, 1 << 20)
        with raw:
            first_row = 1
            try:
                for table in _regroup(reader, chunk_rows):
                    yield RawChunk(_canonical(table.to_pandas(), export_format, first_row), raw.tell())
                    first_row += table.num_rows
            except pa.ArrowInvalid as exc:
                raise _malformed(path, exc) from exc

    return RawTable(path, path.name, export_format, path.stat().st_size, read_chunks, encoding)


def _regroup(batches: Iterator[pa.RecordBatch], rows: int) -> Iterator[pa.Table]:
    """Tables of exactly `rows` rows (the last may be shorter) from batches of any size."""
    pending, pending_rows = [], 0
    for batch in batches:
        pending.append(batch)
        pending_rows += batch.num_rows
        while pending_rows >= rows:
            table = pa.Table.from_batches(pending)
            yield table.slice(0, rows)
            rest = table.slice(rows)
            pending, pending_rows = rest.to_batches(), rest.num_rows
    if pending_rows:
        yield pa.Table.from_batches(pending)


def _malformed(path: Path, exc: Exception) -> UserError:
    # pyarrow's message names the line: "CSV parse error: Row #82: Expected 8 columns, got 9: ..."
    detail = re.sub(r"^Row #(\d+):", r"line \1:", str(exc).strip().removeprefix("CSV parse error: "))
    return UserError(f"{path}: malformed CSV - {detail}\n  Fix that line: a field containing a comma or a quote must be in double quotes.")


def _canonical(frame: pd.DataFrame, export_format: ExportFormat, first_row: int) -> pd.DataFrame:
    """Keep the export's eight columns under their canonical names; index rows from 1."""
    out = frame[list(export_format.columns)].rename(columns=export_format.columns)
    out.index = pd.RangeIndex(first_row, first_row + len(out), name="source_row")
    return out


# --- xlsx ------------------------------------------------------------------------------------


def _open_workbook(path: Path) -> list[RawTable]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a broken archive
        raise UserError(f"{path}: not a readable Excel workbook ({exc}). Save it again as .xlsx.") from exc
    tables = []
    with_rows = [ws for ws in workbook.worksheets if (ws.max_row or 0) > 1]
    for sheet in with_rows:
        rows = sheet.iter_rows(values_only=True, max_row=_SNIFF_ROWS + 1)
        header = list(next(rows, ()))
        label = f"{path.name}[{sheet.title}]"
        # a sheet's rows may be shorter or longer than its header: sniff what lines up
        sample = [dict(zip(header, row, strict=False)) for row in rows]
        export_format = detect_format(header, sample, f"{path} sheet {sheet.title!r}")
        tables.append(RawTable(path, label, export_format, (sheet.max_row or 1) - 1, _sheet_reader(path, sheet.title, export_format)))
    workbook.close()
    if not tables:
        raise UserError(f"{path}: no sheet has a header and data rows. Export the data again.")
    return tables


def _sheet_reader(path: Path, sheet_name: str, export_format: ExportFormat) -> Callable[[int], Iterator[RawChunk]]:
    def read_chunks(chunk_rows: int) -> Iterator[RawChunk]:
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            rows = workbook[sheet_name].iter_rows(values_only=True)
            header = list(next(rows))
            batch, first_row = [], 1
            for row in rows:
                batch.append(row)
                if len(batch) == chunk_rows:
                    yield _sheet_chunk(batch, header, export_format, first_row)
                    first_row += len(batch)
                    batch = []
            if batch:
                yield _sheet_chunk(batch, header, export_format, first_row)
        finally:
            workbook.close()

    return read_chunks


def _sheet_chunk(batch: list[tuple], header: list, export_format: ExportFormat, first_row: int) -> RawChunk:
    width = len(header)
    frame = pd.DataFrame([tuple(row[:width]) + (None,) * (width - len(row)) for row in batch], columns=header, dtype=object)
    return RawChunk(_canonical(frame, export_format, first_row), first_row + len(batch) - 1)


# --- parquet ---------------------------------------------------------------------------------


def _open_parquet(path: Path) -> RawTable:
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid/OSError for a damaged file
        raise UserError(f"{path}: not a readable parquet file ({exc}).") from exc
    header = parquet.schema_arrow.names
    first = next(parquet.iter_batches(batch_size=_SNIFF_ROWS), None)
    sample = first.to_pylist() if first is not None else []
    export_format = detect_format(header, sample, str(path))

    def read_chunks(chunk_rows: int) -> Iterator[RawChunk]:
        first_row = 1
        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows, columns=list(export_format.columns)):
            frame = batch.to_pandas().astype(object)
            yield RawChunk(_canonical(frame, export_format, first_row), first_row + len(frame) - 1)
            first_row += len(frame)

    return RawTable(path, path.name, export_format, parquet.metadata.num_rows, read_chunks)
