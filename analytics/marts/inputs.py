"""What an analytics run reads from the warehouse: the fact lines, the descriptions, the segment map, the RFM build.

Everything goes through ``engine.query`` as plain T-SQL SELECTs that the DuckDB adapter and
SQL Server both run: the sale and return lines of ``dw.fact_sales`` / ``dw.fact_returns`` with
the product's type and canonical description (``dw.dim_product``) and the line's country
(``dw.dim_country``); the segment map ``mart.rfm_segment_map`` (the one definition of the
segments, data the business may edit); ``mart.customer_rfm`` (its as-of date is the run's
as-of date, its net revenue ranks the whales, its batch is the lineage of every written row).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.errors import NotEnoughData
from warehouse.engine import Engine

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
DESCRIPTIONS_SQL = """
SELECT p.stock_code AS stock_code, COALESCE(p.description, p.stock_code) AS description
FROM dw.dim_product AS p
ORDER BY p.stock_code;
"""
SEGMENT_MAP_SQL = "SELECT m.rfm_code AS rfm_code, m.segment AS segment FROM mart.rfm_segment_map AS m ORDER BY m.rfm_code;"
CUSTOMER_RFM_SQL = """
SELECT r.customer_id AS customer_id, r.as_of_date AS as_of_date, r.net_revenue AS net_revenue, r.rfm_code AS rfm_code, r.batch_id AS batch_id
FROM mart.customer_rfm AS r
ORDER BY r.customer_id;
"""


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
    """Every input of a run, read through `engine`; raises NotEnoughData on a warehouse that holds
    no customers yet (nothing loaded: a pipeline skips the analytics then), ValueError on one built wrongly."""
    rfm = engine.query(CUSTOMER_RFM_SQL)
    if rfm.empty:
        raise NotEnoughData("mart.customer_rfm is empty: build the warehouse (etl.BuildWarehouse) before running the analytics.")
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
