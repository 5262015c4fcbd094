"""What an input is, told by its content before any parser sees it: a file or a folder, and
which container - CSV text (plain or gzip), an xlsx workbook, a parquet file - or something else.

A file given by mistake (a chart, a PDF, an archive, any binary) is refused in one line naming
the file, what it looks like and what to do, instead of failing deep in the CSV parser.
"""

from __future__ import annotations

import gzip
import re
import zipfile
from pathlib import Path

from core.errors import UserError

CSV, GZIP_CSV, XLSX, PARQUET = "csv", "csv.gz", "xlsx", "parquet"
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"  # xlsx is a zip archive
PARQUET_MAGIC = b"PAR1"
HEAD_BYTES = 8192  # what is looked at; a CSV header and its first rows fit
BINARY_SHARE = 0.05  # more control bytes than this in the head: not text

# Files people give instead of an export, by their first bytes.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 .xls or a password-protected Office file"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"\x7fELF", "a program"),
    (b"\xff\xfe", "UTF-16 text"),
    (b"\xfe\xff", "UTF-16 text"),
)
_BZIP2 = re.compile(rb"^BZh[1-9]1AY&SY")
_CONTROL = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D} | {0x7F}  # tab, newlines, form feed are text
# zip archives that are not workbooks, by a member only they have
_ZIP_KINDS = (
    ("xl/workbook.bin", "a binary Excel workbook (.xlsb)"),
    ("word/document.xml", "a Word document"),
    ("ppt/presentation.xml", "a PowerPoint presentation"),
    ("content.xml", "an OpenDocument file"),
)


def check_input_path(path: Path) -> None:
    """An input must be a file: a missing path or a folder is one line saying what to do."""
    if path.is_file():
        return
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        if files:
            kind, give = "a folder", f"the files inside it with --input (e.g. --input {files[0]})"
        else:
            kind, give = "an empty folder", "export files with --input"
        raise UserError(f"{path}: is {kind}, not a file; give {give}, or point CIP_LANDING_DIR at it and use --landing.")
    if path.exists():
        raise UserError(f"{path}: not a regular file. Check the --input path (or CIP_INPUTS).")
    raise UserError(f"{path}: no such file. Check the --input path (or CIP_INPUTS).")


def container_of(path: Path) -> str:
    """CSV, GZIP_CSV, XLSX or PARQUET, from the file's bytes (never its name); raises UserError
    for an empty file and for anything that is none of them."""
    check_input_path(path)
    with path.open("rb") as f:
        head = f.read(HEAD_BYTES)
    if not head:
        raise UserError(f"{path}: the file is empty. Export it again.")
    if head.startswith(PARQUET_MAGIC):
        return PARQUET
    if head.startswith(ZIP_MAGIC):
        if what := _zip_not_a_workbook(path):
            raise _not_an_export(path, what)
        return XLSX
    if head.startswith(GZIP_MAGIC):
        if what := _not_text(_gunzipped_head(path)):
            raise _not_an_export(path, f"a gzip file holding {what}")
        return GZIP_CSV
    if what := _not_text(head):
        raise _not_an_export(path, what)
    return CSV


def _not_an_export(path: Path, what: str) -> UserError:
    return UserError(f"{path}: not a CSV, xlsx or parquet file (it looks like {what}); export the data as CSV, xlsx or parquet.")


def _not_text(head: bytes) -> str | None:
    """What the bytes look like if they are not CSV text (None if they may be)."""
    for magic, what in _SIGNATURES:
        if head.startswith(magic):
            return what
    if _BZIP2.match(head):
        return "a bzip2 archive"
    if head.startswith((ZIP_MAGIC, PARQUET_MAGIC)):
        return "a zip archive" if head.startswith(ZIP_MAGIC) else "a parquet file"
    control = sum(byte in _CONTROL for byte in head)
    if head and control > BINARY_SHARE * len(head):
        return "binary data"
    return None


def _gunzipped_head(path: Path) -> bytes:
    try:
        with gzip.open(path, "rb") as stream:
            return stream.read(HEAD_BYTES)
    except (OSError, EOFError) as exc:
        raise UserError(f"{path}: cannot read the file ({exc}). Is it a complete .csv or .csv.gz?") from exc


def _zip_not_a_workbook(path: Path) -> str | None:
    """What a zip archive is if it is not an xlsx workbook; None for a workbook, or for an archive
    too damaged to list (the workbook reader reports that)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    if "xl/workbook.xml" in names:
        return None
    for member, what in _ZIP_KINDS:
        if member in names:
            return what
    return "a zip archive, not an xlsx workbook"
