"""The out-of-time test that Champions, the top RFM segment, are worth most in the months after a cutoff.

Comparing segments on the data that made them is circular: monetary value is part of the
segment. The test here assigns segments at a cutoff from the sales before it, measures each
customer's sales revenue in the months after it (``future value``, 0 for a customer who did
not come back), and compares the segments on that:

- Kruskal-Wallis across all segments (do they differ at all?);
- one-sided Mann-Whitney U of Champions against every other segment (are Champions' values
  larger?), p-values Holm-corrected for the number of comparisons, with the rank-biserial
  correlation as effect size (equal to Cliff's delta: P(champion > other) - P(champion < other));
- a seeded BCa bootstrap 95% confidence interval of each segment's mean future value.

The in-sample figures (mean sales revenue before the cutoff, per segment) stand beside them.
The segments themselves come from ``analytics.rfm`` (RFM at the cutoff, the warehouse's map).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analytics.checks import require_columns, require_positive_integer, window_past_the_data
from analytics.errors import NotEnoughData
from analytics.rfm import SALES_COLUMNS, default_as_of

CHAMPIONS = "Champions"  # the segment under test, as named in mart.rfm_segment_map


def holm(p_values) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values, in the order given.

    The i-th smallest of m p-values is multiplied by (m - i + 1), made non-decreasing in that
    order, and capped at 1.
    """
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    scaled = p[order] * (len(p) - np.arange(len(p)))
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    return adjusted


def rank_biserial(u_statistic: float, n_first: int, n_second: int) -> float:
    """Rank-biserial correlation of a Mann-Whitney U of the first sample (= Cliff's delta).

    ``2 U / (n1 n2) - 1``: P(first > second) - P(first < second), from -1 to 1, 0 = no difference.
    """
    return 2.0 * u_statistic / (n_first * n_second) - 1.0


def bootstrap_mean_ci(values, rng: np.random.Generator, n_resamples: int = 2000, confidence: float = 0.95) -> tuple[float, float]:
    """BCa bootstrap confidence interval of the mean of `values` (a point when all values are equal)."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return (np.nan, np.nan)
    if np.ptp(values) == 0:
        return (float(values[0]), float(values[0]))
    result = stats.bootstrap((values,), np.mean, n_resamples=n_resamples, confidence_level=confidence, method="BCa", rng=rng)
    return (float(result.confidence_interval.low), float(result.confidence_interval.high))


def future_value(sales: pd.DataFrame, customers, cutoff, months: int = 6) -> pd.Series:
    """Sales revenue of each customer in [cutoff, cutoff + months), 0 for those who bought nothing.

    Returns
    -------
    pandas Series indexed by customer_id (in the order of `customers`), named ``future_value``.
    """
    cutoff = pd.Timestamp(cutoff).normalize()
    end = cutoff + pd.DateOffset(months=months)
    window = sales[(sales["invoice_date"] >= cutoff) & (sales["invoice_date"] < end)]
    revenue = window.groupby("customer_id")["revenue"].sum()
    return revenue.reindex(pd.Index(customers, name="customer_id"), fill_value=0.0).rename("future_value")


@dataclass(frozen=True)
class SegmentValidation:
    """The out-of-time comparison of segments: a table per segment, the omnibus test, and the verdict.

    table : one row per segment, Champions first, then by future mean value (descending):
        segment, customers, in_sample_mean_value (sales before the cutoff: circular),
        in_sample_rank, future_mean_value, future_mean_ci_low, future_mean_ci_high,
        future_median_value, returning_share (bought again in the window), future_rank,
        mann_whitney_u, p_value (one-sided, Champions greater), p_value_holm, rank_biserial
        (the last four empty on the Champions row).
    """

    cutoff: pd.Timestamp
    months: int
    kruskal_statistic: float
    kruskal_p_value: float
    alpha: float
    supported: bool
    conclusion: str
    table: pd.DataFrame


def validate_segments(
    segments: pd.DataFrame,
    sales: pd.DataFrame,
    cutoff,
    months: int = 6,
    alpha: float = 0.05,
    n_resamples: int = 2000,
    seed: int = 0,
) -> SegmentValidation:
    """Test out of time that Champions have the highest future value.

    Parameters
    ----------
    segments : pandas DataFrame
        customer_id, segment: the segments assigned at `cutoff` from sales before it (e.g.
        ``assign_segments(rfm_at_cutoff(sales, cutoff), read_segment_map(engine))``). One row per
        customer; must include Champions and at least one other segment.
    sales : pandas DataFrame
        The clean sales stream, reaching at least `months` past the cutoff.
    cutoff : date-like
        The day the segments were assigned.
    months : int (default: 6)
        Length of the future window [cutoff, cutoff + months).
    alpha : float (default: 0.05)
        Significance level of the Holm-corrected comparisons and of Kruskal-Wallis.
    n_resamples : int (default: 2000)
        Bootstrap resamples per segment.
    seed : int (default: 0)
        Seed of the bootstrap.

    Returns
    -------
    SegmentValidation
    """
    require_columns(segments, ("customer_id", "segment"), "segments")
    require_columns(sales, SALES_COLUMNS, "sales")
    require_positive_integer("months", months)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be within the interval (0, 1). Got {alpha!r}.")
    if segments["customer_id"].duplicated().any():
        raise ValueError("segments must have one row per customer_id.")
    cutoff = pd.Timestamp(cutoff).normalize()
    reason = window_past_the_data(default_as_of(sales), cutoff, cutoff + pd.DateOffset(months=months), f"{months}-month")
    if reason:
        raise ValueError(f"{reason}; choose an earlier cutoff or fewer months.")
    before = sales[sales["invoice_date"] < cutoff]
    unknown = np.setdiff1d(segments["customer_id"].to_numpy(), before["customer_id"].unique())
    if len(unknown):
        raise ValueError(
            f"{len(unknown)} customers in segments have no sale before the cutoff {cutoff.date()} "
            f"(e.g. {unknown[:5].tolist()}): segments must be assigned from data before it."
        )
    names = segments["segment"].unique()
    if CHAMPIONS not in names or len(names) < 2:
        raise NotEnoughData(f"segments must include {CHAMPIONS!r} and at least one other segment. Got {sorted(names)}.")

    frame = segments[["customer_id", "segment"]].copy()
    frame["in_sample_value"] = before.groupby("customer_id")["revenue"].sum().reindex(frame["customer_id"]).to_numpy()
    frame["future_value"] = future_value(sales, frame["customer_id"], cutoff, months).to_numpy()
    groups = {name: group["future_value"].to_numpy() for name, group in frame.groupby("segment")}
    kruskal = stats.kruskal(*groups.values())

    rng = np.random.default_rng(seed)
    rows = []
    champions = groups[CHAMPIONS]
    for name in [CHAMPIONS] + sorted(set(groups) - {CHAMPIONS}):
        values = groups[name]
        low, high = bootstrap_mean_ci(values, rng, n_resamples, 1 - alpha)
        row = {
            "segment": name,
            "customers": len(values),
            "in_sample_mean_value": frame.loc[frame["segment"] == name, "in_sample_value"].mean(),
            "future_mean_value": values.mean(),
            "future_mean_ci_low": low,
            "future_mean_ci_high": high,
            "future_median_value": float(np.median(values)),
            "returning_share": float((values > 0).mean()),
            "mann_whitney_u": np.nan,
            "p_value": np.nan,
            "rank_biserial": np.nan,
        }
        if name != CHAMPIONS:
            test = stats.mannwhitneyu(champions, values, alternative="greater")
            row.update(
                mann_whitney_u=float(test.statistic),
                p_value=float(test.pvalue),
                rank_biserial=rank_biserial(test.statistic, len(champions), len(values)),
            )
        rows.append(row)
    table = pd.DataFrame(rows)
    others = table["segment"] != CHAMPIONS
    table["p_value_holm"] = np.nan
    table.loc[others, "p_value_holm"] = holm(table.loc[others, "p_value"])
    table["in_sample_rank"] = table["in_sample_mean_value"].rank(ascending=False, method="min").astype("int64")
    table["future_rank"] = table["future_mean_value"].rank(ascending=False, method="min").astype("int64")
    table = pd.concat([table[~others], table[others].sort_values("future_mean_value", ascending=False)], ignore_index=True)
    table = table[
        [
            "segment",
            "customers",
            "in_sample_mean_value",
            "in_sample_rank",
            "future_mean_value",
            "future_mean_ci_low",
            "future_mean_ci_high",
            "future_median_value",
            "returning_share",
            "future_rank",
            "mann_whitney_u",
            "p_value",
            "p_value_holm",
            "rank_biserial",
        ]
    ]
    supported, conclusion = _conclusion(table, kruskal.pvalue, cutoff, months, alpha)
    return SegmentValidation(cutoff, months, float(kruskal.statistic), float(kruskal.pvalue), alpha, supported, conclusion, table)


def _conclusion(table: pd.DataFrame, kruskal_p: float, cutoff: pd.Timestamp, months: int, alpha: float) -> tuple[bool, str]:
    champions = table.iloc[0]
    others = table.iloc[1:]
    window = f"in the {months} months after {cutoff.date()}"
    figures = (
        f"Champions (n={champions['customers']}) spent on average {champions['future_mean_value']:,.2f} "
        f"(95% CI {champions['future_mean_ci_low']:,.2f} to {champions['future_mean_ci_high']:,.2f}) {window}"
    )
    not_larger = others[~(others["p_value_holm"] < alpha)]
    higher_mean = others[others["future_mean_value"] >= champions["future_mean_value"]]
    if kruskal_p < alpha and not_larger.empty and higher_mean.empty:
        weakest = others.loc[others["rank_biserial"].idxmin()]
        return True, (
            f"Supported: {figures}, the highest mean of all {len(table)} segments, and their values are larger "
            f"than every other segment's (one-sided Mann-Whitney U, Holm-adjusted p < {alpha} in all "
            f"{len(others)} comparisons; smallest effect: rank-biserial {weakest['rank_biserial']:.2f} against "
            f"{weakest['segment']}). Kruskal-Wallis p = {kruskal_p:.2g}."
        )
    reasons = []
    if kruskal_p >= alpha:
        reasons.append(f"the segments' future values do not differ significantly (Kruskal-Wallis p = {kruskal_p:.2g})")
    if not not_larger.empty:
        listed = ", ".join(f"{s} (p = {p:.2g})" for s, p in zip(not_larger["segment"], not_larger["p_value_holm"], strict=True))
        reasons.append(f"Champions' values are not significantly larger than those of {listed}, Holm-adjusted")
    if not higher_mean.empty:
        listed = ", ".join(f"{s} ({v:,.2f})" for s, v in zip(higher_mean["segment"], higher_mean["future_mean_value"], strict=True))
        reasons.append(f"a higher or equal mean future value was reached by {listed}")
    return False, f"Not supported by the data: {figures}, but " + "; ".join(reasons) + "."
