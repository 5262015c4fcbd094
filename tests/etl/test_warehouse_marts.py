"""The warehouse built by the T-SQL procedures equals an independent pandas computation.

Two data sets, each cleaned, loaded and built once for the module: the bundled real data and a
generated one (50,000 raw rows). The reference below reads the clean parquet streams with plain
pandas and applies the definitions of docs/warehouse.md; the warehouse must agree row for row
(money compared exactly, in ten-thousandths). The Single Customer View's analytics columns are
NULL until analyse_warehouse writes them, then equal churn scores recomputed from the clean streams
and the top 1% by net revenue. Then: a re-run and a reload change nothing, and a failing build
leaves everything as it was.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import warehouse
from analytics.churn import score_customers
from analytics.cleaning.clean_exports import TYPED_SCHEMA, CleanedData, clean_exports
from analytics.marts.run import analyse_warehouse
from analytics.synthetic import generate
from etl.load import build_batch, load_batch, stage_batch

# The default 11-segment map, as published (segment -> RFM codes).
DEFAULT_SEGMENTS = {
    "Champions": "555 554 544 545 454 455 445",
    "Loyal Customers": "543 444 435 355 354 345 344 335",
    "Potential Loyalists": "553 551 552 541 542 533 532 531 452 451 442 441 431 453 433 432 423 353 352 351 342 341 333 323",
    "New Customers": "512 511 422 421 412 411 311",
    "Promising": "525 524 523 522 521 515 514 513 425 424 413 414 415 315 314 313",
    "Need Attention": "535 534 443 434 343 334 325 324",
    "About to Sleep": "331 321 312 221 213 231 241 251",
    "At Risk": "255 254 245 244 253 252 243 242 235 234 225 224 153 152 145 143 142 135 134 133 125 124",
    "Can't Lose Them": "155 154 144 214 215 115 114 113",
    "Hibernating": "332 322 233 232 223 222 132 123 122 212 211",
    "Lost": "111 112 121 131 141 151",
}
SEGMENT_OF = {code: segment for segment, codes in DEFAULT_SEGMENTS.items() for code in codes.split()}
EUROPE = {
    "EIRE", "Ireland", "Channel Islands", "European Community", "Austria", "Belgium", "Bulgaria", "Croatia", "Cyprus",
    "Czech Republic", "Denmark", "Estonia", "Finland", "France", "Germany", "Greece", "Hungary", "Iceland", "Italy",
    "Latvia", "Lithuania", "Luxembourg", "Malta", "Netherlands", "Norway", "Poland", "Portugal", "Romania", "Slovakia",
    "Slovenia", "Spain", "Sweden", "Switzerland",
}  # fmt: skip
DISPLAY_NAMES = {"EIRE": "Ireland", "RSA": "South Africa", "USA": "United States"}
TABLES = [
    "stg.sale_line", "stg.return_line", "stg.cleaning_ledger", "etl.batch", "etl.cleaning_ledger",
    "dw.dim_date", "dw.dim_country", "dw.dim_product", "dw.dim_customer", "dw.fact_sales", "dw.fact_returns",
    "mart.rfm_segment_map", "mart.customer_rfm", "mart.cohort_retention",
]  # fmt: skip
BUILT = [t for t in TABLES if t.split(".")[0] in ("dw", "mart")]
ANALYTICS_COLUMNS = ["churn_probability", "churn_risk_band", "is_whale"]  # written by analytics/marts


@dataclass
class Built:
    name: str
    engine: warehouse.Engine
    cleaned: CleanedData
    ledger: pd.DataFrame
    summary: object


@pytest.fixture(scope="module", params=["real", "generated"])
def built(request, tmp_path_factory):
    """Clean (the real data: the session's cleaning), deploy into a DuckDB file, stage and build: once per data set."""
    tmp = tmp_path_factory.mktemp(request.param)
    if request.param == "real":
        cleaned = request.getfixturevalue("real_cleaned")
    else:
        raw = tmp / "synthetic.csv"
        generate(50_000, 7, raw)
        cleaned = clean_exports([raw], tmp / "clean")
    with warehouse.connect(f"duckdb:///{(tmp / 'warehouse.duckdb').as_posix()}") as engine:
        engine.deploy()
        ledger = cleaned.ledger.table()
        yield Built(request.param, engine, cleaned, ledger, load_batch(engine, cleaned, ledger))


# -- the reference: plain pandas on the clean streams -----------------------------------------


def ten_thousandths(values) -> pd.Series:
    """Money as exact integers (the warehouse stores DECIMAL(19, 4))."""
    return pd.Series(
        [int(Decimal(v) * 10_000) if isinstance(v, Decimal) else int(round(v * 10_000)) for v in values], index=getattr(values, "index", None)
    )


def ntile(count: int, buckets: int = 5) -> np.ndarray:
    """NTILE(buckets) by position: the first count % buckets groups hold one row more."""
    size, larger = divmod(count, buckets)
    return np.repeat(np.arange(1, buckets + 1), [size + 1 if b < larger else size for b in range(buckets)])


def rounded(numerator: int, denominator: int, scale: int = 4) -> Decimal:
    quotient = Decimal(numerator) / Decimal(denominator)
    return quotient.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def streams(built):
    sales = pd.read_parquet(built.cleaned.sales_file)
    returns = pd.read_parquet(built.cleaned.returns_file)
    for frame in (sales, returns):
        frame["money"] = ten_thousandths(frame["revenue"])
    return sales, returns


@pytest.fixture(scope="module")
def reference_rfm(streams):
    sales, returns = streams
    as_of = sales["invoice_date"].max().normalize() + pd.Timedelta(days=1)
    per_customer = sales.groupby("customer_id").agg(
        first_purchase_at=("invoice_date", "min"),
        last_purchase_at=("invoice_date", "max"),
        frequency=("invoice_no", "nunique"),
        monetary=("money", "sum"),
    )
    returned = returns.groupby("customer_id").agg(return_count=("invoice_no", "nunique"), returns_revenue=("money", "sum"))
    rfm = per_customer.join(returned, how="left").fillna({"return_count": 0, "returns_revenue": 0})
    rfm = rfm.astype({"return_count": "int64", "returns_revenue": "int64"}).reset_index()
    rfm["as_of_date"] = as_of.date()
    rfm["recency_days"] = (as_of - rfm["last_purchase_at"].dt.normalize()).dt.days
    rfm["tenure_days"] = (as_of - rfm["first_purchase_at"].dt.normalize()).dt.days
    rfm["net_revenue"] = rfm["monetary"] + rfm["returns_revenue"]
    rfm["average_order_value"] = [int(rounded(m, f * 10_000) * 10_000) for m, f in zip(rfm["monetary"], rfm["frequency"], strict=True)]
    for score, order, ascending in (("r_score", "recency_days", False), ("f_score", "frequency", True), ("m_score", "monetary", True)):
        ordered = rfm.sort_values([order, "customer_id"], ascending=[ascending, True])
        rfm.loc[ordered.index, score] = ntile(len(rfm))
    rfm = rfm.astype({"r_score": "int64", "f_score": "int64", "m_score": "int64"})
    rfm["rfm_code"] = rfm["r_score"].astype(str) + rfm["f_score"].astype(str) + rfm["m_score"].astype(str)
    rfm["segment"] = rfm["rfm_code"].map(SEGMENT_OF)
    return rfm.sort_values("customer_id").reset_index(drop=True)


@pytest.fixture(scope="module")
def reference_customers(streams):
    sales, returns = streams
    lines = pd.concat([sales.assign(is_sale=1), returns.assign(is_sale=0)])
    latest = lines.sort_values(["customer_id", "is_sale", "invoice_date", "source", "source_row"], ascending=[True] + [False] * 4)
    customers = latest.drop_duplicates("customer_id")[["customer_id", "country"]].set_index("customer_id")
    dates = sales.groupby("customer_id")["invoice_date"].agg(first_purchase_at="min", last_purchase_at="max")
    return customers.join(dates).sort_index()


# -- facts and dimensions ---------------------------------------------------------------------


@pytest.mark.parametrize("built", ["real"], indirect=True)
def test_published_figures_of_the_real_data(built):
    summary = built.summary
    assert (summary.fact_sales_rows, summary.rfm_customers, summary.fact_returns_rows) == (392_692, 4_338, 8_872)
    assert round(summary.sales_revenue, 2) == 8_887_208.89
    figures = built.engine.query("SELECT COUNT(*) AS customers, SUM(frequency) AS invoices FROM mart.single_customer_view;").iloc[0]
    assert (figures["customers"], figures["invoices"]) == (4_338, 18_532)
    assert summary.segments == 11


def test_facts_hold_every_clean_line_with_exact_money(built, streams):
    for fact, stream in zip(("dw.fact_sales", "dw.fact_returns"), streams, strict=True):
        rows = built.engine.query(
            "SELECT source, source_row, invoice_no, customer_id, stock_code, quantity, unit_price, revenue, date_key "
            f"FROM {fact} ORDER BY source, source_row;"
        )
        expected = stream.sort_values(["source", "source_row"]).reset_index(drop=True)
        assert len(rows) == len(expected)
        assert rows["invoice_no"].tolist() == expected["invoice_no"].tolist()
        assert rows["customer_id"].tolist() == expected["customer_id"].tolist()
        assert rows["stock_code"].tolist() == expected["stock_code"].tolist()
        assert rows["quantity"].tolist() == expected["quantity"].tolist()
        assert ten_thousandths(rows["revenue"]).tolist() == expected["money"].tolist()
        assert ten_thousandths(rows["unit_price"]).tolist() == ten_thousandths(expected["unit_price"]).tolist()
        assert rows["date_key"].tolist() == expected["invoice_date"].dt.strftime("%Y%m%d").astype(int).tolist()


def test_dimension_counts(built, streams):
    sales, returns = streams
    lines = pd.concat([sales, returns])
    counts = built.engine.query(
        "SELECT (SELECT COUNT(*) FROM dw.dim_customer) AS customers, (SELECT COUNT(*) FROM dw.dim_product) AS products, "
        "(SELECT COUNT(*) FROM dw.dim_country) AS countries, (SELECT COUNT(*) FROM dw.dim_date) AS dates, "
        "(SELECT MIN(calendar_date) FROM dw.dim_date) AS first_date, (SELECT MAX(calendar_date) FROM dw.dim_date) AS last_date;",
    ).iloc[0]
    first, last = dt.date(lines["invoice_date"].min().year, 1, 1), dt.date(lines["invoice_date"].max().year, 12, 31)
    assert counts["customers"] == lines["customer_id"].nunique()
    assert counts["products"] == lines["stock_code"].nunique()
    assert counts["countries"] == lines["country"].nunique()
    assert (counts["first_date"], counts["last_date"], counts["dates"]) == (first, last, (last - first).days + 1)


def test_dim_customer_has_the_latest_country_and_purchase_dates(built, reference_customers):
    rows = built.engine.query("SELECT customer_id, country, first_purchase_at, last_purchase_at FROM dw.dim_customer ORDER BY customer_id;")
    rows = rows.set_index("customer_id")
    assert rows.index.tolist() == reference_customers.index.tolist()
    assert rows["country"].tolist() == reference_customers["country"].tolist()
    for column in ("first_purchase_at", "last_purchase_at"):
        assert pd.to_datetime(rows[column]).tolist() == reference_customers[column].tolist()


def test_dim_product_has_the_most_used_description(built, streams):
    lines = pd.concat(streams)
    used = (
        lines.groupby(["stock_code", "description"], dropna=False)
        .agg(line_count=("source_row", "size"), last_used=("invoice_date", "max"), product_type=("product_type", "max"))
        .reset_index()
    )
    chosen = used.sort_values(["stock_code", "line_count", "last_used", "description"], ascending=[True, False, False, True])
    chosen = chosen.drop_duplicates("stock_code").set_index("stock_code").sort_index()
    rows = built.engine.query("SELECT stock_code, description, product_type FROM dw.dim_product ORDER BY stock_code;").set_index("stock_code")
    assert sorted(rows.index) == sorted(chosen.index)
    rows = rows.loc[chosen.index]
    assert rows["description"].tolist() == chosen["description"].tolist()
    assert rows["product_type"].tolist() == chosen["product_type"].tolist()


def test_dim_country_regions_and_display_names(built, streams):
    rows = built.engine.query("SELECT country_key, country_name, display_name, region FROM dw.dim_country ORDER BY country_key;")
    names = sorted(pd.concat(streams)["country"].unique(), key=str.casefold)  # case-insensitive, as both engines compare
    assert rows["country_name"].tolist() == names  # keys in alphabetical order
    assert rows["country_key"].tolist() == list(range(1, len(names) + 1))
    expected_region = ["United Kingdom" if n == "United Kingdom" else "Europe" if n in EUROPE else "Rest of World" for n in names]
    assert rows["region"].tolist() == expected_region
    assert rows["display_name"].tolist() == [DISPLAY_NAMES.get(n, n) for n in names]


# -- marts ------------------------------------------------------------------------------------


def test_segment_map_is_the_default_for_all_125_codes(built):
    rows = built.engine.query("SELECT rfm_code, segment FROM mart.rfm_segment_map ORDER BY rfm_code;")
    assert dict(zip(rows["rfm_code"], rows["segment"], strict=True)) == SEGMENT_OF
    assert len(SEGMENT_OF) == 125 and set(SEGMENT_OF) == {f"{r}{f}{m}" for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)}


def test_every_single_customer_view_column_equals_the_reference(built, reference_rfm, reference_customers):
    view = built.engine.query("SELECT * FROM mart.single_customer_view ORDER BY customer_id;")
    assert list(view.columns) == [
        "customer_id", "country", "country_display_name", "region", "first_purchase_at", "last_purchase_at", "as_of_date",
        "recency_days", "frequency", "monetary", "average_order_value", "net_revenue", "returns_revenue", "return_count",
        "tenure_days", "r_score", "f_score", "m_score", "rfm_code", "segment", "churn_probability", "churn_risk_band", "is_whale",
    ]  # fmt: skip
    expected = reference_rfm.join(reference_customers[["country"]], on="customer_id")
    assert view["customer_id"].tolist() == expected["customer_id"].tolist()
    assert view["country"].tolist() == expected["country"].tolist()
    assert view["country_display_name"].tolist() == [DISPLAY_NAMES.get(c, c) for c in expected["country"]]
    assert view["region"].tolist() == [
        "United Kingdom" if c == "United Kingdom" else "Europe" if c in EUROPE else "Rest of World" for c in expected["country"]
    ]
    for column in ("first_purchase_at", "last_purchase_at"):
        assert pd.to_datetime(view[column]).tolist() == expected[column].tolist(), column
    assert view["as_of_date"].tolist() == expected["as_of_date"].tolist()
    for column in ("recency_days", "frequency", "return_count", "tenure_days", "r_score", "f_score", "m_score"):
        assert view[column].astype("int64").tolist() == expected[column].tolist(), column
    for column in ("monetary", "average_order_value", "net_revenue", "returns_revenue"):
        assert ten_thousandths(view[column]).tolist() == expected[column].tolist(), column
    assert view["rfm_code"].tolist() == expected["rfm_code"].tolist()
    assert view["segment"].tolist() == expected["segment"].tolist()
    for column in ANALYTICS_COLUMNS:  # no analytics run yet: the LEFT JOINs give NULL
        assert view[column].isna().all(), column


def test_the_single_customer_view_after_an_analytics_run_equals_the_reference(built, streams, reference_rfm):
    """After analyse_warehouse: churn scores recomputed from the clean streams (not the warehouse),
    bands by threshold, whales = the top 1% by net revenue (ties by customer_id)."""
    run = analyse_warehouse(built.engine)
    view = built.engine.query("SELECT * FROM mart.single_customer_view ORDER BY customer_id;")
    assert view["customer_id"].tolist() == reference_rfm["customer_id"].tolist()
    sales, returns = streams
    scores = score_customers(sales, returns).set_index("customer_id").loc[view["customer_id"]]
    assert [float(p) for p in view["churn_probability"]] == pytest.approx(scores["churn_probability"].tolist(), abs=1e-6)
    assert view["churn_risk_band"].tolist() == [
        "high" if p >= Decimal("0.6") else "medium" if p >= Decimal("0.3") else "low" for p in view["churn_probability"]
    ]
    ranked = reference_rfm.sort_values(["net_revenue", "customer_id"], ascending=[False, True])
    whales = set(ranked["customer_id"][: math.ceil(0.01 * len(ranked))])
    assert view["is_whale"].tolist() == [c in whales for c in view["customer_id"]]
    assert run.whales == len(whales) and run.customers_scored == len(view)


def test_customer_rfm_scores_are_quintiles(built):
    sizes = built.engine.query("SELECT r_score AS score, COUNT(*) AS customers FROM mart.customer_rfm GROUP BY r_score ORDER BY r_score;")
    total = sizes["customers"].sum()
    assert sizes["score"].tolist() == [1, 2, 3, 4, 5]
    assert sizes["customers"].tolist() == np.bincount(ntile(total))[1:].tolist()


def test_cohort_retention_equals_the_reference(built, streams):
    sales, _ = streams
    sales = sales.assign(month=sales["invoice_date"].dt.to_period("M"))
    cohort_of = sales.groupby("customer_id")["month"].min().rename("cohort")
    sales = sales.join(cohort_of, on="customer_id")
    sizes = cohort_of.value_counts()
    activity = sales.groupby(["cohort", "month"]).agg(active=("customer_id", "nunique"), revenue=("money", "sum"))
    last = sales["month"].max()
    expected = []
    for cohort in sorted(sizes.index):
        for index in range((last - cohort).n + 1):
            month = cohort + index
            active, revenue = activity.loc[(cohort, month)] if (cohort, month) in activity.index else (0, 0)
            expected.append(
                (
                    cohort.start_time.date(),
                    index,
                    month.start_time.date(),
                    int(sizes[cohort]),
                    int(active),
                    rounded(int(active), int(sizes[cohort])),
                    int(revenue),
                )
            )
    rows = built.engine.query("SELECT * FROM mart.cohort_retention ORDER BY cohort_month, month_index;")
    actual = [
        (r.cohort_month, r.month_index, r.activity_month, r.cohort_size, r.active_customers, r.retention_rate, int(r.revenue * 10_000))
        for r in rows.itertuples()
    ]
    assert actual == expected


def test_ledger_is_persisted_for_the_batch(built):
    rows = built.engine.query(
        "SELECT source, disposition, rule_name, row_count, revenue FROM etl.cleaning_ledger "
        f"WHERE batch_id = {built.summary.batch_id} ORDER BY source, rule_name;"
    )
    expected = built.ledger.sort_values(["source", "rule"]).reset_index(drop=True)
    assert rows["rule_name"].tolist() == expected["rule"].tolist()
    assert rows["row_count"].tolist() == expected["rows"].tolist()
    assert [float(v) for v in rows["revenue"]] == expected["revenue"].tolist()
    batch = built.engine.query(
        f"SELECT status, rows_read, rows_loaded, rows_rejected FROM etl.batch WHERE batch_id = {built.summary.batch_id};"
    ).iloc[0]
    totals = built.ledger.groupby("disposition")["rows"].sum()
    assert (batch["status"], batch["rows_read"], batch["rows_loaded"], batch["rows_rejected"]) == (
        "succeeded",
        totals.sum(),
        totals["sale"] + totals["return"],
        totals["excluded"],
    )


def test_every_row_carries_its_batch(built):
    for table in BUILT:
        if table == "mart.rfm_segment_map":
            continue  # reference data, not loaded by a batch
        missing = built.engine.query(
            f"SELECT COUNT(*) AS n FROM {table} AS t WHERE NOT EXISTS (SELECT 1 FROM etl.batch AS b WHERE b.batch_id = t.batch_id);"
        )
        assert missing["n"][0] == 0, table


# -- re-runs and failures (these change the module's warehouse: keep them last) ---------------


def checksums(engine, tables=TABLES, without_batch=False) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent hash of every row, per table (DuckDB's hash)."""
    sums = {}
    for table in tables:
        schema, name = table.split(".")
        columns = [
            c for (c,) in engine.connection.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? ORDER BY column_index", [schema, name]
            ).fetchall()
            if not (without_batch and c == "batch_id")
        ]  # fmt: skip
        row_hash = ", ".join(f'"{c}"' for c in columns)
        sums[table] = engine.connection.execute(f"SELECT count(*), coalesce(sum(hash({row_hash})::HUGEINT), 0) FROM {table}").fetchone()
    return sums


def test_running_the_build_again_changes_no_table(built):
    before = checksums(built.engine)
    built.engine.execute("etl.BuildWarehouse", batch_id=built.summary.batch_id)
    assert checksums(built.engine) == before


@pytest.mark.parametrize("built", ["generated"], indirect=True)
def test_reloading_the_same_data_changes_nothing_but_lineage(built):
    before = checksums(built.engine, BUILT, without_batch=True)
    summary = load_batch(built.engine, built.cleaned, built.ledger)
    assert summary.batch_id == built.summary.batch_id + 1
    assert checksums(built.engine, BUILT, without_batch=True) == before  # same source: replaced, not duplicated
    assert (summary.fact_sales_rows, summary.fact_returns_rows) == (built.summary.fact_sales_rows, built.summary.fact_returns_rows)
    built.summary = summary


@pytest.mark.parametrize("built", ["generated"], indirect=True)
def test_a_failing_build_leaves_the_warehouse_as_it_was(built, tmp_path):
    before = checksums(built.engine, [t for t in TABLES if not t.startswith("stg.") and t != "etl.batch"])
    view_before = built.engine.query("SELECT * FROM mart.single_customer_view ORDER BY customer_id;")
    # a sale line with a negative quantity passes staging but breaks CK_dw_fact_sales_quantity,
    # after the dimensions were merged: everything must roll back
    tampered = tmp_path / "clean"
    tampered.mkdir()
    sales = pq.read_table(built.cleaned.sales_file).to_pandas()
    sales.loc[len(sales) - 1, "quantity"] = -1
    streams = SimpleNamespace(sales_file=tampered / "sales.parquet", returns_file=built.cleaned.returns_file)
    pq.write_table(pa.Table.from_pandas(sales, schema=TYPED_SCHEMA, preserve_index=False), streams.sales_file)
    batch_id = stage_batch(built.engine, streams, built.ledger)
    with pytest.raises(warehouse.ProcedureError):
        build_batch(built.engine, batch_id, as_of_date=dt.date(2012, 1, 1))
    assert checksums(built.engine, before) == before
    pd.testing.assert_frame_equal(built.engine.query("SELECT * FROM mart.single_customer_view ORDER BY customer_id;"), view_before)
    status = built.engine.query(f"SELECT status FROM etl.batch WHERE batch_id = {batch_id};")["status"][0]
    assert status == "failed"
