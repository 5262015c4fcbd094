"""Benchmark: reading the Single Customer View (mart.single_customer_view) on embedded DuckDB.

    .venv/bin/python bench/scv.py                     # the bundled real data
    .venv/bin/python bench/scv.py --rows 10000000     # generated raw rows instead
    .venv/bin/python bench/scv.py --repeat 50 --lookups 500

The warehouse is built once per data set (cleaned, deployed, loaded and built through the
product's own code) and cached under bench/.data/. Then, p50 and p95 over repeated runs of
    full read  SELECT * FROM mart.single_customer_view;                          -> every customer
    lookup     SELECT * FROM mart.single_customer_view WHERE customer_id = @id;  -> one customer
each through `engine.query` (T-SQL translated on every call, rows as Python values in a
DataFrame, what the product's code does) and as DuckDB SQL translated once and run as a
prepared statement (the database's own time, what a BI tool on the file sees). Results go to
stdout as a Markdown table for docs/warehouse.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / ".data"
FULL_READ = "SELECT * FROM mart.single_customer_view;"
LOOKUP = "SELECT * FROM mart.single_customer_view WHERE customer_id = @id;"


def warehouse_file(rows: int | None) -> Path:
    """The built warehouse for the data set, built on first use."""
    import warehouse
    from analytics.cleaning.clean_exports import clean_exports
    from core.paths import BUNDLED_DATA
    from etl.load import load_batch

    path = DATA / (f"scv_synthetic_{rows}_seed1.duckdb" if rows else "scv_real.duckdb")
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        raw = BUNDLED_DATA
        if rows:
            from analytics.synthetic import generate

            raw = DATA / f"synthetic_{rows}_seed1.csv.gz"  # shared with bench/ingest.py
            if not raw.exists():
                generate(rows, 1, raw)
        started = time.perf_counter()
        cleaned = clean_exports([raw], Path(tmp) / "clean")
        cleaned_at = time.perf_counter()
        partial = Path(tmp) / "warehouse.duckdb"
        with warehouse.connect(f"duckdb:///{partial.as_posix()}") as engine:
            engine.deploy()
            summary = load_batch(engine, cleaned, cleaned.ledger.table())
        print(
            f"built {path.name}: {summary.fact_sales_rows:,} sales lines, {summary.rfm_customers:,} customers; "
            f"cleaning {cleaned_at - started:.1f} s, deploy + load + build {time.perf_counter() - cleaned_at:.1f} s",
            file=sys.stderr,
        )
        partial.replace(path)
    return path


def timed(run, repeat: int) -> list[float]:
    run()  # warm-up: first-use compilation and caches are not what is measured
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=None, help="generated raw rows instead of the bundled real data")
    parser.add_argument("--repeat", type=int, default=30, help="full reads to time")
    parser.add_argument("--lookups", type=int, default=300, help="one-customer lookups to time")
    args = parser.parse_args(argv)

    from sqlglot import exp

    import warehouse

    path = warehouse_file(args.rows)
    with warehouse.connect(f"duckdb:///{path.as_posix()}") as engine:
        customers = engine.query("SELECT customer_id FROM mart.customer_rfm;")["customer_id"].tolist()
        sales_lines = int(engine.query("SELECT COUNT(*) AS n FROM dw.fact_sales;")["n"][0])
        picks = iter(random.Random(1).choices(customers, k=args.lookups + 1))
        full_sql = engine.translator.statement(FULL_READ).sql
        lookup_sql = engine.translator.statement(LOOKUP, 1, {"id": exp.DataType.build("INT", dialect="tsql")}).sql
        connection = engine.connection
        results = {
            ("full read", "engine.query"): timed(lambda: engine.query(FULL_READ), args.repeat),
            ("full read", "DuckDB, prepared"): timed(lambda: connection.sql(full_sql).to_arrow_table(), args.repeat),
            ("lookup", "engine.query"): timed(lambda: engine.query(LOOKUP, {"id": next(picks)}), args.lookups // 2),
            ("lookup", "DuckDB, prepared"): timed(lambda: connection.execute(lookup_sql, {"id": next(picks)}).fetchall(), args.lookups // 2 - 1),
        }

    data = f"{args.rows:,} generated raw rows" if args.rows else "bundled real data"
    print(f"\nSingle Customer View on DuckDB - {data}: {sales_lines:,} sales lines, {len(customers):,} customers\n")
    print("| read | path | runs | p50 ms | p95 ms |")
    print("|---|---|---:|---:|---:|")
    for (read, path_name), times in results.items():
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"| {read} | {path_name} | {len(times)} | {statistics.median(times):.2f} | {p95:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
