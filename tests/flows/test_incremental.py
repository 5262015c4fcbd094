"""Incremental loads: each file once (by content), overlapping drops never duplicate a line, the
landing folder picks up only new files, and the marts are rebuilt consistently afterwards."""

from __future__ import annotations

import shutil

from flows.load_warehouse import load_warehouse
from flows.parameters import PipelineParameters
from tests.flows.conftest import checksums, query, warehouse_file

# The facts compared across histories: the line and its values, not where or when it was loaded.
FACT = "SELECT line_key, invoice_no, stock_code, quantity, unit_price, revenue, customer_id, invoice_date FROM {table} ORDER BY line_key"


def test_the_same_file_twice_changes_nothing(workspace, drops):
    first = load_warehouse(PipelineParameters(inputs=[drops.first]))
    assert [f.loaded_before for f in first.files] == [False]
    database = warehouse_file(workspace)
    before = checksums(database)
    batches = query(database, "SELECT batch_id, status, content_hash FROM etl.batch")

    renamed = workspace / "same_content_new_name.csv"  # the content is the identity, not the name
    shutil.copy(drops.first, renamed)
    again = load_warehouse(PipelineParameters(inputs=[drops.first, renamed]))

    assert [f.loaded_before for f in again.files] == [True, True]
    assert {f.batch_id for f in again.files} == {first.files[0].batch_id}
    assert checksums(database) == before
    assert query(database, "SELECT batch_id, status, content_hash FROM etl.batch") == batches == [(1, "succeeded", first.files[0].content_hash)]


def test_overlapping_drops_in_the_landing_folder_equal_the_whole_export(workspace, drops, tmp_path_factory, monkeypatch):
    landing = workspace / "landing"
    landing.mkdir()
    shutil.copy(drops.first, landing)
    params = PipelineParameters(landing=True)

    assert [f.path.name for f in load_warehouse(params).loaded] == [drops.first.name]
    shutil.copy(drops.second, landing)  # a new drop whose first half repeats the previous drop's second half
    (landing / ".hidden-partial.csv").write_text("not a drop")
    second = load_warehouse(params)
    assert [(f.path.name, f.loaded_before) for f in second.files] == [(drops.first.name, True), (drops.second.name, False)]
    assert load_warehouse(params).loaded == []  # nothing new

    database = warehouse_file(workspace)
    overlap = query(
        database,
        f"SELECT count(*) FROM stg.sale_line s WHERE s.line_key IN (SELECT line_key FROM dw.fact_sales WHERE source = '{drops.second.name}')",
    )
    assert overlap[0][0] > 0  # the second drop did carry lines the first one had loaded

    # the reference: the whole export loaded at once into a fresh warehouse
    reference = tmp_path_factory.mktemp("whole")
    monkeypatch.chdir(reference)
    load_warehouse(PipelineParameters(inputs=[drops.whole]))
    whole_db = warehouse_file(reference)

    for table in ("dw.fact_sales", "dw.fact_returns"):
        assert query(database, FACT.format(table=table)) == query(whole_db, FACT.format(table=table)), table
    marts = ("mart.customer_rfm", "mart.cohort_retention")
    assert {t: checksums(database)[t] for t in marts} == {t: checksums(whole_db)[t] for t in marts}
    sales_in_ledgers = query(database, "SELECT sum(row_count) FROM etl.cleaning_ledger WHERE disposition = 'sale'")[0][0]
    fact_rows = query(database, "SELECT count(*) FROM dw.fact_sales")[0][0]
    assert sales_in_ledgers > fact_rows  # the overlap was counted by both ledgers, stored once
