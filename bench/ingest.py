"""Benchmark: cleaning throughput and peak memory as raw files grow.

    .venv/bin/python bench/ingest.py [--rows 1000000 10000000] [--chunk-rows 100000]

Each size is generated once (cached under bench/.data/, deterministic per seed) and cleaned in
a fresh process, so peak memory (max RSS) is that run's alone. Memory must stay roughly flat as
the file grows ten-fold: ingestion reads in chunks and never holds the whole file. Results go to
stdout as a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / ".data"

CLEAN_ONE = """
import json, resource, sys, time
from pathlib import Path
from analytics.cleaning.clean_exports import clean_exports
start = time.perf_counter()
result = clean_exports([Path(sys.argv[1])], Path(sys.argv[2]), chunk_rows=int(sys.argv[3]))
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rows": sum(result.ledger.rows_in.values()),
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def raw_file(rows: int) -> Path:
    from analytics.synthetic import generate

    path = DATA / f"synthetic_{rows}_seed1.csv.gz"
    if not path.exists():
        started = time.perf_counter()
        generate(rows, seed=1, out=path)
        print(f"generated {path.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def clean_in_fresh_process(path: Path, chunk_rows: int) -> dict:
    out = DATA / "clean"
    completed = subprocess.run(
        [sys.executable, "-c", CLEAN_ONE, str(path), str(out), str(chunk_rows)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    real = ROOT / "data" / "raw" / "online_retail.csv.gz"
    inputs = [("bundled real data", real)] + [(f"synthetic {rows:,}", raw_file(rows)) for rows in args.rows]
    print("| input | rows | file MB | seconds | rows/s | peak RSS MB |\n|---|---:|---:|---:|---:|---:|")
    for label, path in inputs:
        run = clean_in_fresh_process(path, args.chunk_rows)
        print(
            f"| {label} | {run['rows']:,} | {path.stat().st_size / 1e6:.1f} | {run['seconds']:.1f} "
            f"| {run['rows'] / run['seconds']:,.0f} | {run['max_rss_mb']:.0f} |"
        )


if __name__ == "__main__":
    main()
