"""Benchmark: product association mining on all real baskets - our sparse miner against mlxtend's dense Apriori.

    .venv/bin/python bench/product_association.py                   # supports 0.02 0.01 0.005 0.002
    .venv/bin/python bench/product_association.py --supports 0.02 --cap-gib 4

Every run is a fresh process that reads the cleaned real sales (cached under bench/.data/) and
mines association rules at the given support, max_len unlimited, min confidence 0.3:
    ours      analytics.product_association.mine_rules: sparse one-hot, FP-Growth (with and without the
              default cut of baskets over 100 products)
    dense     mlxtend's apriori on a dense bool DataFrame of all baskets (its default
              low_memory=False) + association_rules, under an address-space cap
              (resource.setrlimit RLIMIT_AS, --cap-gib) so it fails instead of taking the machine
Time is the wall clock from the loaded sales to the rules; peak RSS is the process's maximum
while mining (the peak is reset after loading, Linux's /proc/self/clear_refs).
A second table shows what the huge baskets add: rules found only when they are kept. Results
go to stdout as Markdown for docs/analytics.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / ".data"
SALES = DATA / "product_association_sales.parquet"
MIN_CONFIDENCE = 0.3


def sales_file() -> Path:
    """The cleaned real sales (the columns product association mining reads), cleaned on first use."""
    if SALES.exists():
        return SALES
    import pandas as pd

    from analytics.cleaning.clean_exports import clean_exports
    from analytics.product_association import SALES_COLUMNS
    from core.paths import BUNDLED_DATA

    DATA.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        cleaned = clean_exports([BUNDLED_DATA], Path(tmp) / "clean")
        pd.read_parquet(cleaned.sales_file, columns=list(SALES_COLUMNS)).to_parquet(SALES)
    return SALES


def worker(kind: str, support: float, max_basket_items: int | None, cap_gib: float) -> dict:
    """One measured run in this process; returns what the parent prints."""
    import pandas as pd

    from analytics.product_association import ProductAssociationParameters, basket_items, canonical_descriptions, mine_rules, one_hot

    sales = pd.read_parquet(SALES)
    parameters = ProductAssociationParameters(min_support=support, min_confidence=MIN_CONFIDENCE, max_len=None, max_basket_items=max_basket_items)
    Path("/proc/self/clear_refs").write_text("5")  # resets the peak (VmHWM): loading is not measured
    result: dict = {"baseline_rss_mb": _status_mb("VmRSS")}
    started = time.perf_counter()
    if kind == "ours":
        rules = mine_rules(sales, parameters, canonical_descriptions(sales))
        result["rules"] = sorted(f"{a}->{c}" for a, c in zip(rules["antecedent_codes"], rules["consequent_codes"], strict=True))
    else:
        from mlxtend.frequent_patterns import apriori, association_rules

        cap = int(cap_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        try:
            dense = one_hot(basket_items(sales, parameters)).sparse.to_dense()
            itemsets = apriori(dense, min_support=support, use_colnames=True)
            rules = association_rules(itemsets, num_itemsets=len(dense), metric="confidence", min_threshold=MIN_CONFIDENCE)
            rules = rules[rules["lift"] >= parameters.min_lift]
            sides = zip(rules["antecedents"], rules["consequents"], strict=True)
            result["rules"] = sorted(f"{tuple(sorted(a))}->{tuple(sorted(c))}" for a, c in sides)
        except MemoryError as error:
            result["error"] = f"MemoryError at the {cap_gib:g} GiB cap ({error})"
    result["seconds"] = time.perf_counter() - started
    result["peak_rss_mb"] = _status_mb("VmHWM")
    return result


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"/proc/self/status has no {field}")


def measure(kind: str, support: float, max_basket_items: int | None, cap_gib: float) -> dict:
    command = [sys.executable, __file__, "--worker", kind, "--supports", str(support), "--cap-gib", str(cap_gib)]
    if max_basket_items is not None:
        command += ["--max-basket-items", str(max_basket_items)]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit code {completed.returncode}: {last}"}
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--supports", type=float, nargs="+", default=[0.02, 0.01, 0.005, 0.002])
    parser.add_argument("--cap-gib", type=float, default=8.0, help="address-space cap of the dense run")
    parser.add_argument("--worker", choices=["ours", "dense"], help=argparse.SUPPRESS)
    parser.add_argument("--max-basket-items", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.supports[0], args.max_basket_items, args.cap_gib)))
        return 0

    sales_file()
    runs = [("ours, all baskets", "ours", None), ("ours, baskets <= 100 products", "ours", 100), ("mlxtend dense Apriori", "dense", None)]
    results = {}
    for support in args.supports:
        for label, kind, cap in runs:
            results[support, label] = result = measure(kind, support, cap, args.cap_gib)
            outcome = result["error"] if "error" in result else f"{result['seconds']:.1f} s"
            print(f"{support} {label}: {outcome}", file=sys.stderr)

    print("\nProduct association mining on all real baskets (18,402 merchandise invoices), max_len unlimited, min confidence 0.3\n")
    print("| min support | miner | seconds | RSS before mining MB | peak RSS while mining MB | rules |")
    print("|---:|---|---:|---:|---:|---:|")
    for (support, label), result in results.items():
        if "error" in result:
            print(f"| {support} | {label} | - | - | - | failed: {result['error']} |")
        else:
            print(
                f"| {support} | {label} | {result['seconds']:.1f} | {result['baseline_rss_mb']:,.0f} | "
                f"{result['peak_rss_mb']:,.0f} | {len(result['rules']):,} |"
            )

    print("\nWhat the baskets over 100 products (about 1% of baskets) add\n")
    print("| min support | rules, all baskets | rules without them | rules only with them | seconds, all / without |")
    print("|---:|---:|---:|---:|---|")
    for support in args.supports:
        kept, cut = results[support, runs[0][0]], results[support, runs[1][0]]
        if "error" in kept or "error" in cut:
            continue
        only = len(set(kept["rules"]) - set(cut["rules"]))
        print(f"| {support} | {len(kept['rules']):,} | {len(cut['rules']):,} | {only:,} | {kept['seconds']:.1f} / {cut['seconds']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
