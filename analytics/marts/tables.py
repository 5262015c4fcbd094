"""The mart tables an analytics run replaces, their exact column types, and the one transaction that writes them.

The types are those of sql/schema/mart, so both engines receive exactly what their DDL declares:
every DECIMAL gets a ``Decimal`` (never a float), rounded half-even to the column's scale.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Context, Decimal

import pandas as pd
import pyarrow as pa

from warehouse.engine import Engine

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
