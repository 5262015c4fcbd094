"""Deterministic synthetic raw exports shaped like the UCI "Online Retail" data set.

``generate(rows, seed, out)`` writes ``rows`` raw transaction lines in one of the public export
layouts (UCI, Kaggle "E-Commerce Data", Online Retail II) with the real file's quirks at the real
rates: guest invoices without a CustomerID, cancellations, stock write-offs, zero prices, bad-debt
adjustments, exact duplicate lines, non-product stock codes and several descriptions per code.
Its baskets are worth mining: families of popular products are bought together (``affinities``),
so association rules come out at the default thresholds, as on the real file.
Tests and benchmarks use it at any size, from a handful of rows to tens of millions.

Every real figure was measured on the complete UCI file (``data/raw/online_retail.csv.gz``,
541,909 rows; see data/README.md); they are in ``calibration``.

How it stays deterministic and streams in bounded memory:

1. A *plan* is drawn from one ``numpy.random.Generator(seed)``: the product catalogue, the
   customers, and one entry per invoice (kind, number of lines, time, customer, country, the
   earlier invoice a cancellation refers to). These arrays are O(invoices), about rows / 21.
2. The lines are then produced invoice block by invoice block. Every line-level draw is a counter
   based hash of ``(seed, invoice, line, stream)``, so a line's content never depends on which
   chunk it was produced in (``chunk_rows`` does not change the output), and a cancellation can
   recompute the exact lines of the earlier invoice it cancels without keeping them in memory.

The data depend on ``(rows, seed)`` only; the export format changes the layout, not the data.
Row totals per kind of invoice (guest sales, cancellations, write-offs, ...) are fixed from the
real shares, and rows per month follow the real seasonality, so the rates hold at any size.

Limits: invoice numbers are 6 digits up to about 9.7 million rows and run on to 7 digits beyond;
customers grow linearly up to 87,654 (about 10.9 million rows) so that their ids keep 5 digits;
the catalogue stops growing at 4,000 products (from 520,000 rows).

The modules, one job each: ``calibration`` (the real figures), ``randomness`` (the line-level
hash), ``catalogue``, ``customers``, ``invoices`` and ``affinities`` (drawn into a ``plan``), ``lines``
(each kind of invoice's lines, with the quirks) and ``layouts`` (the export layouts and the writer).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from analytics.checks import is_integer
from analytics.synthetic.layouts import EXPORT_FORMATS, LAYOUTS, write_csv
from analytics.synthetic.plan import make_plan

__all__ = ["EXPORT_FORMATS", "generate"]


def generate(rows: int, seed: int, out: Path, export_format: str = "uci", chunk_rows: int = 200_000) -> int:
    """Write `rows` raw rows to `out` and return the number written (== rows).

    The file is a CSV in the layout of ``export_format`` ("uci", "kaggle" or "ii"), gzip-compressed
    when ``out`` ends with ``.gz``. The same arguments always give byte-identical files, whatever
    ``chunk_rows`` (which only bounds how many rows are held in memory at a time).
    """
    _check_arguments(rows, seed, export_format, chunk_rows)
    layout = LAYOUTS[export_format]
    out = Path(out)
    plan = make_plan(rows, seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    # write beside `out`, then rename: a failure never leaves a half-written file behind
    tmp = out.with_name(f".{out.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as raw:
            written = write_csv(plan, raw, layout, chunk_rows, gzipped=out.name.endswith(".gz"))
        if written != rows:  # pragma: no cover - the plan's sizes sum to `rows` by construction
            raise RuntimeError(f"wrote {written} rows instead of {rows}")
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return written


def _check_arguments(rows: object, seed: object, export_format: object, chunk_rows: object) -> None:
    if not is_integer(rows) or rows < 1:
        raise ValueError(f"rows must be an integer >= 1; got {rows!r}")
    if not is_integer(seed) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0; got {seed!r}")
    if export_format not in LAYOUTS:
        raise ValueError(f"export_format must be one of {', '.join(map(repr, EXPORT_FORMATS))}; got {export_format!r}")
    if not is_integer(chunk_rows) or chunk_rows < 1:
        raise ValueError(f"chunk_rows must be an integer >= 1; got {chunk_rows!r}")
