"""Every analysis of a run, computed from the warehouse's inputs before anything is written.

The steps: product association rules (``analytics.product_association``), the out-of-time segment
validation (``analytics.rfm``, ``analytics.segment_validation``), churn evaluation and scores
(``analytics.churn``), whales (``analytics.whales``). The result is the rows of each mart table
as typed Arrow tables and an ``AnalyticsRun``, the summary a flow step logs or a report prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from analytics.churn import evaluate_churn_model, high_value_at_risk, score_customers
from analytics.marts.inputs import WarehouseInputs
from analytics.marts.parameters import AnalyticsParameters
from analytics.marts.tables import MAX_CODES_LENGTH, SEPARATOR, TABLES, typed_table
from analytics.product_association import ProductAssociationParameters, mine_rules
from analytics.rfm import assign_segments, rfm_at_cutoff
from analytics.segment_validation import SegmentValidation, validate_segments
from analytics.whales import flag_whales, whale_summary


@dataclass(frozen=True)
class AnalyticsRun:
    """What a run wrote and found: the summary a flow step logs or a report prints.

    rows_written : rows per mart table.
    top_rules : the first `top_rules` rules (antecedent -> consequent descriptions, support,
        confidence, lift, both_baskets).
    segment_table : the segment validation table (as written to mart.segment_validation).
    churn_evaluation : one row per scorer (model, recency baseline): roc_auc, top_decile_lift.
    high_value_at_risk : customer_id, net_revenue, churn_probability of the customers to act on.
    """

    run_id: str
    batch_id: int
    as_of_date: dt.date
    rows_written: Mapping[str, int]
    rules: int
    top_rules: pd.DataFrame
    segment_cutoff: dt.date
    segments_supported: bool
    segment_conclusion: str
    segment_table: pd.DataFrame
    churn_evaluation: pd.DataFrame
    churn_test_rate: float
    customers_scored: int
    risk_bands: Mapping[str, int]
    high_value_at_risk: pd.DataFrame
    whales: int
    whale_revenue_share: float
    customers: int

    @property
    def churn_auc(self) -> float:
        return float(self.churn_evaluation.set_index("scorer").loc["model", "roc_auc"])

    @property
    def baseline_auc(self) -> float:
        return float(self.churn_evaluation.set_index("scorer").loc["recency baseline", "roc_auc"])

    @property
    def churn_lift(self) -> float:
        return float(self.churn_evaluation.set_index("scorer").loc["model", "top_decile_lift"])

    @property
    def baseline_lift(self) -> float:
        return float(self.churn_evaluation.set_index("scorer").loc["recency baseline", "top_decile_lift"])

    def summary_lines(self) -> list[str]:
        lines = [
            f"Analytics run {self.run_id} on batch {self.batch_id}, as of {self.as_of_date}",
            f"Product association: {self.rules:,} rules in mart.product_association",
        ]
        for rule in self.top_rules.itertuples():
            lines.append(
                f"  {rule.antecedent_descriptions} -> {rule.consequent_descriptions}: "
                f"lift {rule.lift:.2f}, confidence {rule.confidence:.2f}, support {rule.support:.3f}"
            )
        lines += [
            f"Segment validation (cutoff {self.segment_cutoff}): {self.segment_conclusion}",
            f"Churn model: ROC AUC {self.churn_auc:.3f} (recency baseline {self.baseline_auc:.3f}), "
            f"top-decile lift {self.churn_lift:.2f} (baseline {self.baseline_lift:.2f})",
            f"Churn risk: {self.customers_scored:,} customers scored "
            + ", ".join(f"{band} {self.risk_bands.get(band, 0):,}" for band in ("high", "medium", "low"))
            + f"; {len(self.high_value_at_risk):,} high-value customers at risk",
            f"Whales: {self.whales:,} of {self.customers:,} customers make {self.whale_revenue_share:.2%} of net revenue",
        ]
        return lines


def compute(inputs: WarehouseInputs, params: AnalyticsParameters, run_id: str) -> tuple[dict[str, pa.Table], AnalyticsRun]:
    """Every analysis on `inputs`: the rows of each mart table (typed Arrow tables) and the summary."""
    lineage = {"run_id": run_id, "batch_id": inputs.batch_id}
    as_of = inputs.as_of

    association = product_association_rows(inputs, params.product_association)

    cutoff = pd.Timestamp(params.segment_cutoff) if params.segment_cutoff else as_of - pd.DateOffset(months=params.segment_months)
    segments = assign_segments(rfm_at_cutoff(inputs.sales, cutoff), inputs.segment_map)
    validation = validate_segments(
        segments[["customer_id", "segment"]], inputs.sales, cutoff, months=params.segment_months,
        alpha=params.alpha, n_resamples=params.bootstrap_resamples, seed=params.seed,
    )  # fmt: skip
    segment_rows = _segment_rows(validation)

    horizon = params.churn_horizon_days
    test_cutoff = as_of - pd.Timedelta(days=horizon)
    evaluation = evaluate_churn_model(inputs.sales, inputs.returns, test_cutoff - pd.Timedelta(days=horizon), test_cutoff, horizon, params.seed)
    evaluation_rows = evaluation.table.assign(
        train_cutoff_date=evaluation.train_cutoff.date(), test_cutoff_date=evaluation.test_cutoff.date(), horizon_days=horizon,
        train_customers=evaluation.train_customers, test_customers=evaluation.test_customers,
        train_churn_rate=evaluation.train_churn_rate, test_churn_rate=evaluation.test_churn_rate,
    )  # fmt: skip

    exact_net = inputs.customer_rfm.set_index("customer_id")["net_revenue"]
    scores = score_customers(inputs.sales, inputs.returns, as_of=as_of, horizon_days=horizon, seed=params.seed)
    if set(scores["customer_id"]) != set(exact_net.index):
        raise ValueError("the churn scores and mart.customer_rfm cover different customers: rebuild the warehouse.")
    scores["net_revenue"] = scores["customer_id"].map(exact_net).astype("float64")  # the warehouse's exact figure
    at_risk = high_value_at_risk(scores, params.high_value_quantile)
    churn_rows = scores.assign(
        as_of_date=as_of.date(), model_cutoff_date=test_cutoff.date(), horizon_days=horizon,
        net_revenue=scores["customer_id"].map(exact_net),
        is_high_value_at_risk=scores["customer_id"].isin(at_risk["customer_id"]),
    )  # fmt: skip

    customers = inputs.customer_rfm[["customer_id"]].assign(net_revenue=inputs.customer_rfm["net_revenue"].astype("float64"))
    flags = flag_whales(customers, params.whale_customer_share)
    whales = whale_summary(flags)
    whale_rows = flags.assign(
        as_of_date=as_of.date(), net_revenue=flags["customer_id"].map(exact_net), whale_customer_share=params.whale_customer_share
    )

    tables = {
        "mart.product_association": association,
        "mart.segment_validation": segment_rows.assign(cutoff_date=cutoff.date(), horizon_months=params.segment_months),
        "mart.customer_churn_risk": churn_rows,
        "mart.churn_model_evaluation": evaluation_rows,
        "mart.customer_whale": whale_rows,
    }
    typed = {table: typed_table(frame.assign(**lineage), TABLES[table]) for table, frame in tables.items()}
    run = AnalyticsRun(
        run_id=run_id,
        batch_id=inputs.batch_id,
        as_of_date=as_of.date(),
        rows_written={table: rows.num_rows for table, rows in typed.items()},
        rules=len(association),
        top_rules=association.head(params.top_rules)[
            ["rule_rank", "antecedent_descriptions", "consequent_descriptions", "support", "confidence", "lift", "both_baskets"]
        ].reset_index(drop=True),
        segment_cutoff=cutoff.date(),
        segments_supported=validation.supported,
        segment_conclusion=validation.conclusion,
        segment_table=validation.table,
        churn_evaluation=evaluation.table,
        churn_test_rate=evaluation.test_churn_rate,
        customers_scored=len(scores),
        risk_bands=scores["risk_band"].value_counts().to_dict(),
        high_value_at_risk=at_risk[["customer_id", "net_revenue", "churn_probability"]],
        whales=int(whales["whales"]),
        whale_revenue_share=float(whales["revenue_share"]),
        customers=int(whales["customers"]),
    )
    return typed, run


def product_association_rows(inputs: WarehouseInputs, parameters: ProductAssociationParameters) -> pd.DataFrame:
    """The rules mined from the warehouse's sales as mart.product_association rows (without the
    lineage columns): tuples joined with " | " into readable strings, ranked from 1."""
    rows = mine_rules(inputs.sales, parameters, inputs.descriptions)
    for side in ("antecedent", "consequent"):
        rows[f"{side}_items"] = rows[f"{side}_codes"].map(len)
        for part in ("codes", "descriptions"):
            rows[f"{side}_{part}"] = rows[f"{side}_{part}"].map(SEPARATOR.join)
        too_long = rows[f"{side}_codes"].str.len() > MAX_CODES_LENGTH
        if too_long.any():
            raise ValueError(
                f"{int(too_long.sum())} rules have {side} codes longer than {MAX_CODES_LENGTH} characters "
                f"(e.g. {rows.loc[too_long, f'{side}_codes'].iloc[0]!r}): lower max_len."
            )
    rows.insert(0, "rule_rank", np.arange(1, len(rows) + 1))
    return rows


def _segment_rows(validation: SegmentValidation) -> pd.DataFrame:
    """The validation table as mart.segment_validation rows: ordered, with the omnibus test and verdict on each."""
    rows = validation.table.copy()
    rows.insert(1, "segment_order", np.arange(1, len(rows) + 1))
    return rows.assign(
        kruskal_statistic=validation.kruskal_statistic,
        kruskal_p_value=validation.kruskal_p_value,
        alpha=validation.alpha,
        is_supported=validation.supported,
        conclusion=validation.conclusion,
    )
