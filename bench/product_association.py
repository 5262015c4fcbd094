"""Benchmark: product association mining on all real baskets - the pipeline's step and its two backends, mlxtend and pyfim alone.

    .venv/bin/python bench/product_association.py                   # supports 0.02 0.01 0.005 0.002
    .venv/bin/python bench/product_association.py --supports 0.02 --cap-gib 4

Every run is a fresh process that reads the cleaned real sales (cached under bench/.data/) and
mines association rules at the given support, max_len unlimited, min confidence 0.3, min lift 1:
    pipeline          analytics.product_association.mine_rules (the whole step: baskets, itemsets,
                      association_rules, descriptions), pyfim backend (the default; with and without the
                      default cut of baskets over 100 products) and mlxtend backend
    mlxtend FP-Growth / Apriori(low_memory=True)   mlxtend alone on the same sparse one-hot matrix
                      (every product column), + association_rules
    pyfim rules       pyfim's FP-Growth inducing the rules itself (target 'r') on the same baskets,
                      with mode='o' (rule support = antecedent and consequent together, mlxtend's
                      definition) and without (pyfim's default: the antecedent's support)
    dense             mlxtend's apriori on a dense bool DataFrame of all baskets (its default
                      low_memory=False) + association_rules
The mlxtend-only runs go under an address-space cap (resource.setrlimit RLIMIT_AS, --cap-gib) so
they fail instead of taking the machine; every run is stopped after --timeout seconds.
Time is the wall clock from the loaded sales to the rules; peak RSS is the process's maximum
while mining (the peak is reset after loading, Linux's /proc/self/clear_refs). Each row says how
its rules compare with the first row's; the two pipeline backends are compared on a fingerprint
of the whole rule table. A second table shows what the huge baskets add: rules found only when
they are kept. Results go to stdout as Markdown for docs/analytics.md.
"""

from __future__ import annotations

import argparse
import hashlib
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

    from analytics.product_association import ProductAssociationParameters, canonical_descriptions, mine_rules

    sales = pd.read_parquet(SALES)
    backend = "mlxtend" if kind == "pipeline-mlxtend" else "pyfim"
    parameters = ProductAssociationParameters(
        min_support=support, min_confidence=MIN_CONFIDENCE, max_len=None, max_basket_items=max_basket_items, backend=backend
    )
    Path("/proc/self/clear_refs").write_text("5")  # resets the peak (VmHWM): loading is not measured
    result: dict = {"baseline_rss_mb": _status_mb("VmRSS")}
    started = time.perf_counter()
    if kind.startswith("pipeline"):
        rules = mine_rules(sales, parameters, canonical_descriptions(sales))
        result["rules"] = sorted(f"{a}->{c}" for a, c in zip(rules["antecedent_codes"], rules["consequent_codes"], strict=True))
    elif kind.startswith("pyfim-rules"):
        result["rules"] = _pyfim_rules(sales, parameters, mode="o" if kind == "pyfim-rules-o" else "")
    else:
        cap = int(cap_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        try:
            result["rules"] = _mlxtend_rules(sales, parameters, kind)
        except MemoryError as error:
            result["error"] = f"MemoryError at the {cap_gib:g} GiB cap ({error})"
    result["seconds"] = time.perf_counter() - started
    result["peak_rss_mb"] = _status_mb("VmHWM")
    if kind.startswith("pipeline"):  # after the measurement: a fingerprint of the whole rule table (every column, every bit)
        result["table"] = hashlib.sha256(pd.util.hash_pandas_object(rules.astype(str), index=True).to_numpy().tobytes()).hexdigest()
    return result


def _mlxtend_rules(sales, parameters, kind: str) -> list[str]:
    """mlxtend alone, every product column: FP-Growth or low-memory Apriori on the sparse one-hot matrix, or Apriori on a dense one."""
    from mlxtend.frequent_patterns import apriori, association_rules, fpgrowth

    from analytics.product_association import basket_items, one_hot

    matrix = one_hot(basket_items(sales, parameters))
    if kind == "mlxtend-fpgrowth":
        itemsets = fpgrowth(matrix, min_support=parameters.min_support, use_colnames=True)
    elif kind == "mlxtend-apriori":
        itemsets = apriori(matrix, min_support=parameters.min_support, use_colnames=True, low_memory=True)
    else:  # dense: apriori's default low_memory=False on a dense bool DataFrame
        itemsets = apriori(matrix.sparse.to_dense(), min_support=parameters.min_support, use_colnames=True)
    rules = association_rules(itemsets, num_itemsets=len(matrix), metric="confidence", min_threshold=MIN_CONFIDENCE)
    rules = rules[rules["lift"] >= parameters.min_lift]
    return sorted(f"{tuple(sorted(a))}->{tuple(sorted(c))}" for a, c in zip(rules["antecedents"], rules["consequents"], strict=True))


def _pyfim_rules(sales, parameters, mode: str) -> list[str]:
    """pyfim alone: FP-Growth's own rule induction (target 'r'; one-item consequents only) on the same baskets.

    pyfim's default rule support is the antecedent's support; mode='o' makes it the support of
    antecedent and consequent together, mlxtend's (and the pipeline's) definition.
    """
    from fim import fpgrowth

    from analytics.product_association import basket_items, min_support_count, transactions

    baskets, products = transactions(basket_items(sales, parameters))
    least = min_support_count(parameters.min_support, len(baskets))
    found = fpgrowth(baskets, target="r", supp=-least, conf=100 * MIN_CONFIDENCE, zmin=2, report="l", mode=mode)
    return sorted(f"{tuple(sorted(products[list(body)]))}->{(products[head],)}" for head, body, lift in found if lift >= parameters.min_lift)


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"/proc/self/status has no {field}")


def measure(kind: str, support: float, max_basket_items: int | None, cap_gib: float, timeout: float) -> dict:
    command = [sys.executable, __file__, "--worker", kind, "--supports", str(support), "--cap-gib", str(cap_gib)]
    if max_basket_items is not None:
        command += ["--max-basket-items", str(max_basket_items)]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:g} s"}
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit code {completed.returncode}: {last}"}
    return json.loads(completed.stdout.strip().splitlines()[-1])


# (label, worker kind, max_basket_items); the first is the reference the others are compared with
RUNS = [
    ("pipeline, pyfim backend (default), all baskets", "pipeline", None),
    ("pipeline, pyfim backend, baskets <= 100 products", "pipeline", 100),
    ("pipeline, mlxtend backend, all baskets", "pipeline-mlxtend", None),
    ("mlxtend FP-Growth, sparse matrix", "mlxtend-fpgrowth", None),
    ("mlxtend Apriori low_memory, sparse matrix", "mlxtend-apriori", None),
    ("pyfim FP-Growth rules, mode='o'", "pyfim-rules-o", None),
    ("pyfim FP-Growth rules, default mode", "pyfim-rules", None),
    ("mlxtend dense Apriori", "dense", None),
]
KINDS = sorted({kind for _, kind, _ in RUNS})


def agreement(result: dict, reference: dict, kind: str) -> str:
    """How a run's rules compare with the reference run's (the pipeline, pyfim backend, all baskets).

    pyfim's own rule induction has one-item consequents only: it is compared with the reference's
    rules of one-item consequents.
    """
    if "error" in result or "error" in reference or result is reference:
        return ""
    if "table" in result:
        return "identical rule table" if result["table"] == reference["table"] else "rule table differs"
    rules, ours, of = set(result["rules"]), set(reference["rules"]), ""
    if kind.startswith("pyfim-rules"):
        ours = {rule for rule in ours if rule.endswith(",)")}  # one-item consequents: "(...)->('code',)"
        of = f" (of its {len(ours):,} one-item-consequent rules)"
    if rules == ours:
        return "same rules" + of
    return f"{len(rules - ours):,} extra, {len(ours - rules):,} missing" + of


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--supports", type=float, nargs="+", default=[0.02, 0.01, 0.005, 0.002])
    parser.add_argument("--cap-gib", type=float, default=8.0, help="address-space cap of the mlxtend-only runs")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds before a run is stopped")
    parser.add_argument("--worker", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--max-basket-items", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.supports[0], args.max_basket_items, args.cap_gib)))
        return 0

    sales_file()
    results = {}
    for support in args.supports:
        for label, kind, cap in RUNS:
            results[support, label] = result = measure(kind, support, cap, args.cap_gib, args.timeout)
            outcome = result["error"] if "error" in result else f"{result['seconds']:.1f} s"
            print(f"{support} {label}: {outcome}", file=sys.stderr)

    print("\nProduct association mining on all real baskets (18,402 merchandise invoices), max_len unlimited, min confidence 0.3\n")
    print("| min support | miner | seconds | RSS before mining MB | peak RSS while mining MB | rules | against the first row |")
    print("|---:|---|---:|---:|---:|---:|---|")
    compared = {label: cap == RUNS[0][2] for label, _, cap in RUNS}  # the same baskets as the first row
    kinds = {label: kind for label, kind, _ in RUNS}
    for (support, label), result in results.items():
        if "error" in result:
            print(f"| {support} | {label} | - | - | - | failed: {result['error']} | |")
        else:
            against = agreement(result, results[support, RUNS[0][0]], kinds[label]) if compared[label] else ""
            print(
                f"| {support} | {label} | {result['seconds']:.1f} | {result['baseline_rss_mb']:,.0f} | "
                f"{result['peak_rss_mb']:,.0f} | {len(result['rules']):,} | {against} |"
            )

    print("\nWhat the baskets over 100 products (about 1% of baskets) add\n")
    print("| min support | rules, all baskets | rules without them | rules only with them | seconds, all / without |")
    print("|---:|---:|---:|---:|---|")
    for support in args.supports:
        kept, cut = results[support, RUNS[0][0]], results[support, RUNS[1][0]]
        if "error" in kept or "error" in cut:
            continue
        only = len(set(kept["rules"]) - set(cut["rules"]))
        print(f"| {support} | {len(kept['rules']):,} | {len(cut['rules']):,} | {only:,} | {kept['seconds']:.1f} / {cut['seconds']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
