"""RFM in Python: recency, frequency and monetary scores at a cutoff, and segments looked up from the warehouse's map.

The definitions are the warehouse's mart.BuildCustomerRfm, so both give equal scores:
as-of = cutoff (default: the day after the latest sale); only sales before it count;
recency_days = days between the customer's last purchase date and the as-of date;
frequency = distinct sale invoices; monetary = sales revenue (rounded to 4 decimals, as the
warehouse's DECIMAL(19, 4));
r_score = NTILE(5) OVER (ORDER BY recency_days DESC, customer_id),
f_score = NTILE(5) OVER (ORDER BY frequency, customer_id),
m_score = NTILE(5) OVER (ORDER BY monetary, customer_id), with SQL Server's NTILE (the first
``n % 5`` buckets get one row more).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.checks import require_columns
from analytics.errors import NotEnoughData

SALES_COLUMNS = ("invoice_no", "invoice_date", "customer_id", "revenue")


def ntile(rows: int, buckets: int = 5) -> np.ndarray:
    """SQL Server's NTILE(buckets) for `rows` rows already in order: the bucket (1-based) of each row.

    The first ``rows % buckets`` buckets hold one row more than the others, e.g. 7 rows into
    5 buckets are 1, 1, 2, 2, 3, 4, 5; with fewer rows than buckets, row i is in bucket i.
    """
    if buckets < 1:
        raise ValueError(f"buckets must be a positive integer. Got {buckets!r}.")
    size, extra = divmod(rows, buckets)
    position = np.arange(rows)
    in_larger = extra * (size + 1)  # rows held by the buckets with one row more
    larger = position // (size + 1) + 1
    smaller = extra + (position - in_larger) // max(size, 1) + 1
    return np.where(position < in_larger, larger, smaller).astype("int64")


def default_as_of(sales: pd.DataFrame) -> pd.Timestamp:
    """The day after the latest sale (the default as-of date of RFM)."""
    return sales["invoice_date"].max().normalize() + pd.Timedelta(days=1)


def rfm_at_cutoff(sales: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """RFM metrics and scores of every customer with a sale before `as_of`.

    Parameters
    ----------
    sales : pandas DataFrame
        The clean sales stream (invoice_no, invoice_date, customer_id, revenue).
    as_of : date-like or None (default: None)
        The day the metrics are measured at (a date: any time of day is dropped); only sales
        before it count. None = the day after the latest sale.

    Returns
    -------
    pandas DataFrame, one row per customer sorted by customer_id: customer_id, as_of_date,
    last_purchase_at, recency_days, frequency, monetary, r_score, f_score, m_score, rfm_code.
    """
    require_columns(sales, SALES_COLUMNS, "sales")
    as_of = default_as_of(sales) if as_of is None else pd.Timestamp(as_of).normalize()
    before = sales[sales["invoice_date"] < as_of]
    if before.empty:
        raise NotEnoughData(f"no sale before as_of {as_of.date()}.")
    rfm = before.groupby("customer_id").agg(
        last_purchase_at=("invoice_date", "max"), frequency=("invoice_no", "nunique"), monetary=("revenue", "sum")
    )
    rfm = rfm.reset_index()
    rfm.insert(1, "as_of_date", as_of)
    rfm["recency_days"] = (as_of - rfm["last_purchase_at"].dt.normalize()).dt.days.astype("int64")
    rfm["monetary"] = rfm["monetary"].round(4)
    rfm["r_score"] = _ntile_by(rfm, ["recency_days", "customer_id"], [False, True])
    rfm["f_score"] = _ntile_by(rfm, ["frequency", "customer_id"], [True, True])
    rfm["m_score"] = _ntile_by(rfm, ["monetary", "customer_id"], [True, True])
    rfm["rfm_code"] = rfm["r_score"].astype(str) + rfm["f_score"].astype(str) + rfm["m_score"].astype(str)
    columns = ["customer_id", "as_of_date", "last_purchase_at", "recency_days", "frequency", "monetary"]
    return rfm[columns + ["r_score", "f_score", "m_score", "rfm_code"]].sort_values("customer_id", ignore_index=True)


def _ntile_by(frame: pd.DataFrame, by: list[str], ascending: list[bool]) -> pd.Series:
    """NTILE(5) of each row of `frame` in the order of `by` (the OVER (ORDER BY ...) of the SQL)."""
    order = frame.sort_values(by, ascending=ascending).index
    return pd.Series(ntile(len(frame)), index=order).reindex(frame.index)


def assign_segments(rfm: pd.DataFrame, segment_map: pd.DataFrame) -> pd.DataFrame:
    """`rfm` with a ``segment`` column looked up by rfm_code in `segment_map` (every code must be there).

    The map is the warehouse's ``mart.rfm_segment_map`` (the single definition, data the
    business may edit; ``analytics.marts.inputs.read_segment_map`` reads it).
    """
    require_columns(rfm, ("customer_id", "rfm_code"), "rfm")
    require_columns(segment_map, ("rfm_code", "segment"), "segment_map")
    lookup = segment_map.set_index("rfm_code")["segment"]
    missing = sorted(set(rfm["rfm_code"]) - set(lookup.index))
    if missing:
        raise ValueError(f"segment_map lacks rfm codes {missing}.")
    return rfm.assign(segment=rfm["rfm_code"].map(lookup))
