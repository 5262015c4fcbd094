"""Files people give instead of an export, written for real: a PNG chart, a PDF, archives, binary.

Each builder returns the file's bytes; `WRONG_FILES` maps a file name to its bytes and what the
product should say it looks like.
"""

from __future__ import annotations

import gzip
import io
import random
import struct
import zipfile
import zlib


def png() -> bytes:
    """A valid 64 x 64 RGB PNG of random pixels (signature, IHDR, IDAT, IEND with their CRCs)."""
    noise = random.Random(1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = b"".join(b"\x00" + noise.randbytes(64 * 3) for _ in range(64))  # filter byte 0 per row
    header = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b"")


def pdf() -> bytes:
    """A small one-page PDF (header, binary marker comment, objects, xref, trailer)."""
    return (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n"
        b"xref\n0 4\ntrailer << /Size 4 /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
    )


def zip_of(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def random_binary(size: int = 20_000) -> bytes:
    return random.Random(7).randbytes(size)


def old_excel() -> bytes:
    """The start of an Excel 97-2003 .xls (an OLE2 compound file): its signature and header block."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + b"\x00" * 488 + random_binary(1536)


UTF16_CSV = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n536365,85123A,X,6,2010-12-01 08:26:00,2.55,17850,UK\n"

# file name -> (bytes, what the message says the file looks like)
WRONG_FILES = {
    "chart.png": (png(), "a PNG image"),
    "report.pdf": (pdf(), "a PDF document"),
    "export.zip": (zip_of({"online_retail.csv": "InvoiceNo,StockCode\n1,2\n"}), "a zip archive, not an xlsx workbook"),
    "notes.docx": (zip_of({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}), "a Word document"),
    "old.xls": (old_excel(), "an Excel 97-2003 .xls or a password-protected Office file"),
    "dump.bin": (random_binary(), "binary data"),
    "unicode.txt": (UTF16_CSV.encode("utf-16"), "UTF-16 text"),
    "chart.csv.gz": (gzip.compress(png(), mtime=0), "a gzip file holding a PNG image"),
}


def not_an_export(path, what: str) -> str:
    """The one line the product says for a file that is no export."""
    return f"{path}: not a CSV, xlsx or parquet file (it looks like {what}); export the data as CSV, xlsx or parquet."
