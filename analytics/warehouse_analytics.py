"""The analytics run on the warehouse: read `dw` and `mart`, mine and score, write the results to `mart`.

    import warehouse
    from analytics.warehouse_analytics import AnalyticsParameters, run_analytics

    with warehouse.connect("duckdb:///.cip/warehouse.duckdb") as engine:
        run = run_analytics(engine, AnalyticsParameters())
        print("\\n".join(run.summary_lines()))

Inputs, all through ``engine.query`` (plain T-SQL SELECTs the DuckDB adapter and SQL Server
both run): the sale and return lines of ``dw.fact_sales`` / ``dw.fact_returns`` with the
product's type and canonical description (``dw.dim_product``) and the line's country
(``dw.dim_country``); the segment map ``mart.rfm_segment_map`` (the one definition of the
segments, data the business may edit); ``mart.customer_rfm`` (its as-of date is the run's
as-of date, its net revenue ranks the whales, its batch is the lineage of every written row).

Steps: market basket rules (``analytics.basket``), the out-of-time segment validation
(``analytics.segment_validation``), churn evaluation and scores (``analytics.churn``), whales
(``analytics.whales``). Everything is computed before anything is written; then one
``engine.transaction()`` empties and bulk-loads every result table, so readers see either the
previous run's results or this run's, never a mix. Every row is stamped with one run id.

It knows nothing of Prefect or of the CLI: a flow step calls ``run_analytics(engine, params)``.
See docs/analytics.md ("Where the results land").
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Context, Decimal

import numpy as np
import pandas as pd
import pyarrow as pa

from analytics.basket import BasketParameters, mine_rules
from analytics.churn import evaluate_churn_model, high_value_at_risk, score_customers
from analytics.segment_validation import SegmentValidation, assign_segments, rfm_at_cutoff, validate_segments
from analytics.whales import flag_whales, whale_summary
from warehouse.engine import Engine

# -- what is read --------------------------------------------------------------------------------

SALES_SQL = """
SELECT
    f.invoice_no AS invoice_no,
    f.invoice_date AS invoice_date,
    f.customer_id AS customer_id,
    f.stock_code AS stock_code,
    f.revenue AS revenue,
    p.product_type AS product_type,
    COALESCE(p.description, p.stock_code) AS description,
    k.country_name AS country
FROM dw.fact_sales AS f
INNER JOIN dw.dim_product AS p ON p.stock_code = f.stock_code
INNER JOIN dw.dim_country AS k ON k.country_key = f.country_key
ORDER BY f.source, f.source_row;
"""
RETURNS_SQL = """
SELECT
    f.invoice_no AS invoice_no,
    f.invoice_date AS invoice_date,
    f.customer_id AS customer_id,
    f.stock_code AS stock_code,
    f.revenue AS revenue
FROM dw.fact_returns AS f
ORDER BY f.source, f.source_row;
"""
DESCRIPTIONS_SQL = "SELECT p.stock_code AS stock_code, COALESCE(p.description, p.stock_code) AS description FROM dw.dim_product AS p ORDER BY p.stock_code;"
SEGMENT_MAP_SQL = "SELECT m.rfm_code AS rfm_code, m.segment AS segment FROM mart.rfm_segment_map AS m ORDER BY m.rfm_code;"
CUSTOMER_RFM_SQL = """
SELECT r.customer_id AS customer_id, r.as_of_date AS as_of_date, r.net_revenue AS net_revenue, r.rfm_code AS rfm_code, r.batch_id AS batch_id
FROM mart.customer_rfm AS r
ORDER BY r.customer_id;
"""

# -- what is written: the columns of each mart table and their types (as in sql/schema/mart) --------

RUN_ID_TYPE = pa.string()


def _decimal(precision: int, scale: int) -> pa.Decimal128Type:
    return pa.decimal128(precision, scale)


RATIO = _decimal(19, 10)
MONEY = _decimal(19, 4)
SHARE = _decimal(9, 6)
P_VALUE = _decimal(38, 30)
LINEAGE = {"run_id": RUN_ID_TYPE, "batch_id": pa.int64()}
TABLES: dict[str, dict[str, pa.DataType]] = {
    "mart.product_association": {
        "rule_rank": pa.int32(),
        "antecedent_codes": pa.string(),
        "consequent_codes": pa.string(),
        "antecedent_descriptions": pa.string(),
        "consequent_descriptions": pa.string(),
        "antecedent_items": pa.int16(),
        "consequent_items": pa.int16(),
        "support": RATIO,
        "confidence": RATIO,
        "lift": RATIO,
        "leverage": RATIO,
        "conviction": _decimal(28, 10),
        "antecedent_baskets": pa.int32(),
        "consequent_baskets": pa.int32(),
        "both_baskets": pa.int32(),
        "total_baskets": pa.int32(),
        "min_support": RATIO,
        "min_confidence": RATIO,
        "min_lift": RATIO,
        "max_len": pa.int16(),
        "algorithm": pa.string(),
        "max_basket_items": pa.int32(),
        "country": pa.string(),
        **LINEAGE,
    },
    "mart.segment_validation": {
        "segment": pa.string(),
        "segment_order": pa.int16(),
        "customers": pa.int32(),
        "in_sample_mean_value": MONEY,
        "in_sample_rank": pa.int16(),
        "future_mean_value": MONEY,
        "future_mean_ci_low": MONEY,
        "future_mean_ci_high": MONEY,
        "future_median_value": MONEY,
        "returning_share": SHARE,
        "future_rank": pa.int16(),
        "mann_whitney_u": _decimal(19, 1),
        "p_value": P_VALUE,
        "p_value_holm": P_VALUE,
        "rank_biserial": SHARE,
        "kruskal_statistic": _decimal(19, 6),
        "kruskal_p_value": P_VALUE,
        "alpha": SHARE,
        "is_supported": pa.bool_(),
        "conclusion": pa.string(),
        "cutoff_date": pa.date32(),
        "horizon_months": pa.int16(),
        **LINEAGE,
    },
    "mart.customer_churn_risk": {
        "customer_id": pa.int32(),
        "as_of_date": pa.date32(),
        "model_cutoff_date": pa.date32(),
        "horizon_days": pa.int32(),
        "churn_probability": SHARE,
        "risk_band": pa.string(),
        "net_revenue": MONEY,
        "is_high_value_at_risk": pa.bool_(),
        **LINEAGE,
    },
    "mart.churn_model_evaluation": {
        "scorer": pa.string(),
        "roc_auc": SHARE,
        "top_decile_lift": SHARE,
        "train_cutoff_date": pa.date32(),
        "test_cutoff_date": pa.date32(),
        "horizon_days": pa.int32(),
        "train_customers": pa.int32(),
        "test_customers": pa.int32(),
        "train_churn_rate": SHARE,
        "test_churn_rate": SHARE,
        **LINEAGE,
    },
    "mart.customer_whale": {
        "customer_id": pa.int32(),
        "as_of_date": pa.date32(),
        "net_revenue": MONEY,
        "revenue_rank": pa.int32(),
        "cumulative_revenue_share": SHARE,
        "is_whale": pa.bool_(),
        "whale_customer_share": SHARE,
        **LINEAGE,
    },
}
MAX_CODES_LENGTH = 200  # NVARCHAR(200) of antecedent_codes / consequent_codes
SEPARATOR = " | "  # joins the codes and descriptions of one side of a rule (no description holds it)


# -- parameters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnalyticsParameters:
    """The parameters of one analytics run, checked when the object is made.

    Parameters
    ----------
    basket : BasketParameters (default: BasketParameters())
        Market basket parameters (min support 0.02, min confidence 0.3, min lift 1, max_len 2,
        FP-Growth, baskets of at most 100 products, all countries); checked by BasketParameters.
    segment_months : int (default: 6)
        Length of the future window of the segment validation, 1 to 24 months.
    segment_cutoff : date or None (default: None)
        The day segments are assigned at; None = the as-of date less `segment_months`, so the
        window ends at the as-of date (the latest one the data allows).
    alpha : float (default: 0.05)
        Significance level of the segment validation (and 1 - the CI level), within (0, 0.5].
    bootstrap_resamples : int (default: 2000)
        Bootstrap resamples per segment, 100 to 100,000.
    churn_horizon_days : int (default: 90)
        Churned = no purchase in this many days after a cutoff, 7 to 365.
    high_value_quantile : float (default: 0.8)
        High-value at risk: high risk band and net revenue at or above this quantile, within [0, 1).
    whale_customer_share : float (default: 0.01)
        Whales are this share of customers (the top by net revenue), within (0, 0.5].
    top_rules : int (default: 10)
        Rules shown in the run summary (every rule is written), 0 to 1,000.
    seed : int (default: 0)
        Seed of the bootstrap and the churn model, a non-negative integer.
    """

    basket: BasketParameters = field(default_factory=BasketParameters)
    segment_months: int = 6
    segment_cutoff: dt.date | None = None
    alpha: float = 0.05
    bootstrap_resamples: int = 2000
    churn_horizon_days: int = 90
    high_value_quantile: float = 0.8
    whale_customer_share: float = 0.01
    top_rules: int = 10
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.basket, BasketParameters):
            raise ValueError(f"basket must be a BasketParameters. Got {self.basket!r}.")
        _check_integer("segment_months", self.segment_months, 1, 24)
        if self.segment_cutoff is not None and not isinstance(self.segment_cutoff, dt.date):
            raise ValueError(f"segment_cutoff must be a date, or None for the as-of date less segment_months. Got {self.segment_cutoff!r}.")
        _check_number("alpha", self.alpha, 0, 0.5, low_open=True)
        _check_integer("bootstrap_resamples", self.bootstrap_resamples, 100, 100_000)
        _check_integer("churn_horizon_days", self.churn_horizon_days, 7, 365)
        _check_number("high_value_quantile", self.high_value_quantile, 0, 1, high_open=True)
        _check_number("whale_customer_share", self.whale_customer_share, 0, 0.5, low_open=True)
        _check_integer("top_rules", self.top_rules, 0, 1_000)
        _check_integer("seed", self.seed, 0, 2**32 - 1)


def _check_integer(name: str, value, low: int, high: int) -> None:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer within [{low:,}, {high:,}]. Got {value!r}.")


def _check_number(name: str, value, low: float, high: float, low_open: bool = False, high_open: bool = False) -> None:
    finite = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if not finite or (value <= low if low_open else value < low) or (value >= high if high_open else value > high):
        interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be a number within the interval {interval}. Got {value!r}.")


# -- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WarehouseInputs:
    """What the analytics read from the warehouse (money as float for the analytics functions)."""

    sales: pd.DataFrame  # invoice_no, invoice_date, customer_id, stock_code, revenue, product_type, description, country
    returns: pd.DataFrame  # invoice_no, invoice_date, customer_id, stock_code, revenue (negative)
    descriptions: pd.DataFrame  # stock_code, description (dw.dim_product's canonical one)
    segment_map: pd.DataFrame  # rfm_code, segment
    customer_rfm: pd.DataFrame  # customer_id, as_of_date, net_revenue (Decimal), rfm_code, batch_id
    as_of: pd.Timestamp
    batch_id: int


def read_segment_map(engine: Engine) -> pd.DataFrame:
    """``mart.rfm_segment_map`` (rfm_code, segment), sorted by code: the one definition of the segments."""
    return engine.query(SEGMENT_MAP_SQL)


def read_inputs(engine: Engine) -> WarehouseInputs:
    """Every input of a run, read through `engine`; raises ValueError on a warehouse not built yet."""
    rfm = engine.query(CUSTOMER_RFM_SQL)
    if rfm.empty:
        raise ValueError("mart.customer_rfm is empty: build the warehouse (etl.BuildWarehouse) before running the analytics.")
    as_of_dates, batches = rfm["as_of_date"].unique(), rfm["batch_id"].unique()
    if len(as_of_dates) != 1 or len(batches) != 1:
        raise ValueError(f"mart.customer_rfm must come from one build: as-of dates {sorted(as_of_dates)}, batches {sorted(batches)}.")
    segment_map = read_segment_map(engine)
    missing = sorted(set(rfm["rfm_code"]) - set(segment_map["rfm_code"]))
    if missing:
        raise ValueError(f"mart.rfm_segment_map lacks rfm codes {missing}: run EXEC mart.SeedRfmSegmentMap.")
    return WarehouseInputs(
        sales=_lines(engine.query(SALES_SQL)),
        returns=_lines(engine.query(RETURNS_SQL)),
        descriptions=engine.query(DESCRIPTIONS_SQL),
        segment_map=segment_map,
        customer_rfm=rfm,
        as_of=pd.Timestamp(as_of_dates[0]),
        batch_id=int(batches[0]),
    )


def _lines(frame: pd.DataFrame) -> pd.DataFrame:
    """Fact lines typed for the analytics: datetime64 dates, int ids, float money (Decimal -> float)."""
    return frame.astype({"invoice_date": "datetime64[ns]", "customer_id": "int64", "revenue": "float64"})


# -- the run -------------------------------------------------------------------------------------


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
            f"Market basket: {self.rules:,} rules in mart.product_association",
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


def new_run_id(now: dt.datetime | None = None) -> str:
    """A run id that sorts by start time and is unique: ``20111210T093000Z-1a2b3c4d``."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def run_analytics(engine: Engine, params: AnalyticsParameters | None = None, *, run_id: str | None = None) -> AnalyticsRun:
    """Read the warehouse, run every analysis, replace the mart result tables in one transaction.

    Parameters
    ----------
    engine : warehouse.Engine
        A deployed and built warehouse (DuckDB or SQL Server).
    params : AnalyticsParameters or None (default: None = the defaults)
    run_id : str or None
        The id stamped on every row; None = a new one (``new_run_id``).

    Returns
    -------
    AnalyticsRun. Raises ValueError (nothing written) when the warehouse cannot support a step,
    e.g. data shorter than the segment window plus the churn horizons.
    """
    params = params or AnalyticsParameters()
    run_id = run_id or new_run_id()
    inputs = read_inputs(engine)
    tables, run = compute(inputs, params, run_id)
    write_results(engine, tables)
    return run


def compute(inputs: WarehouseInputs, params: AnalyticsParameters, run_id: str) -> tuple[dict[str, pa.Table], AnalyticsRun]:
    """Every analysis on `inputs`: the rows of each mart table (typed Arrow tables) and the summary."""
    lineage = {"run_id": run_id, "batch_id": inputs.batch_id}
    as_of = inputs.as_of

    association = association_rows(inputs, params.basket)

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


def association_rows(inputs: WarehouseInputs, parameters: BasketParameters) -> pd.DataFrame:
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
    rows = validation.table.copy()
    rows.insert(1, "segment_order", np.arange(1, len(rows) + 1))
    return rows.assign(
        kruskal_statistic=validation.kruskal_statistic,
        kruskal_p_value=validation.kruskal_p_value,
        alpha=validation.alpha,
        is_supported=validation.supported,
        conclusion=validation.conclusion,
    )


# -- writing -------------------------------------------------------------------------------------


def typed_table(frame: pd.DataFrame, columns: Mapping[str, pa.DataType]) -> pa.Table:
    """`frame`'s `columns` as an Arrow table of exactly the mart table's types.

    Decimals are made from the float's shortest repr and rounded half-even to the column's
    scale, so both engines receive exact values (no float reaches a DECIMAL column); NaN,
    infinity and None become NULL.
    """
    arrays = []
    for name, arrow_type in columns.items():
        values = frame[name].tolist() if name in frame.columns else None
        if values is None:
            raise ValueError(f"no column {name!r} to write (have {list(frame.columns)}).")
        if pa.types.is_decimal(arrow_type):
            values = [_to_decimal(value, arrow_type.scale) for value in values]
        elif pa.types.is_date(arrow_type):
            values = [value.date() if isinstance(value, dt.datetime) else value for value in values]
        else:
            values = [None if _missing(value) else value for value in values]
        arrays.append(pa.array(values, type=arrow_type))
    return pa.Table.from_arrays(arrays, names=list(columns))


_SQL_DECIMALS = Context(prec=38)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _to_decimal(value, scale: int) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, Decimal):
        value = float(value)
        if not math.isfinite(value):
            return None
        value = Decimal(repr(value))
    # DECIMAL(38, 30) holds 1.000...0 (31 digits): quantize with SQL's 38 digits, not Python's default 28.
    return value.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_EVEN, context=_SQL_DECIMALS)


def write_results(engine: Engine, tables: Mapping[str, pa.Table]) -> None:
    """Replace every mart result table in one transaction: all of this run's rows, or none."""
    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        raise ValueError(f"not an analytics table: {unknown}.")
    with engine.transaction():
        for table, rows in tables.items():
            engine.query(f"DELETE FROM {table};")
            if rows.num_rows:
                engine.bulk_load(table, rows)
