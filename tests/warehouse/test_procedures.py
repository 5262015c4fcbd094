"""Procedures on the DuckDB engine: transactions, errors, parameters, EXEC, lineage batches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import warehouse
from tests.warehouse.conftest import ledger_notes

INJECTIONS = [
    "x'); DROP TABLE trap.ledger; --",
    "'; DELETE FROM trap.ledger WHERE '1' = '1",
    "$note",
    "?",
    "Robert'); DROP TABLE etl.batch;--",
]


def test_throw_inside_try_catch_rolls_back_the_insert_and_surfaces_number_and_message(empty_ledger):
    with pytest.raises(warehouse.ProcedureError) as raised:
        empty_ledger.execute("trap.AddLedgerEntry", note="rolled back", amount=1, fail_after_insert=True)
    assert raised.value.number == 50010
    assert raised.value.message == "trap.AddLedgerEntry: failing after the insert, as asked."
    assert raised.value.procedure == "trap.AddLedgerEntry"
    assert ledger_notes(empty_ledger) == []
    assert empty_ledger.session.trancount == 0


def test_a_shared_check_speaks_in_its_callers_name_on_both_engines(engine):
    # etl.CheckBatch THROWs 'etl.BuildWarehouse: ...' for its caller: the error reads in that name
    with pytest.raises(warehouse.ProcedureError) as raised:
        engine.execute("etl.CheckBatch", procedure="etl.BuildWarehouse")
    assert (raised.value.number, raised.value.procedure) == (50101, "etl.CheckBatch")  # where it was thrown
    assert str(raised.value) == "error 50101 in etl.BuildWarehouse: @batch_id is required."
    with pytest.raises(warehouse.ProcedureError) as raised:
        engine.execute("etl.CheckBatch")  # no caller named: no empty ': :'
    assert str(raised.value) == "error 50101 in etl.CheckBatch: @batch_id is required."
    # SQL Server's driver gives the number and the message, not the procedure: the same text
    from_sql_server = warehouse.ProcedureError("etl.BuildWarehouse: @batch_id is required.", 50101)
    assert str(from_sql_server) == "error 50101 in etl.BuildWarehouse: @batch_id is required."
    # the database's own errors keep their text whole
    assert str(warehouse.ProcedureError("Invalid Input Error: Divide by zero error encountered.", 8134)) == (
        "error 8134: Invalid Input Error: Divide by zero error encountered."
    )


def test_a_procedure_failing_half_way_leaves_no_partial_writes(empty_ledger):
    with pytest.raises(warehouse.ProcedureError) as raised:
        empty_ledger.execute("trap.AddTwoEntries", first_note="same", second_note="same")
    assert raised.value.number == 2627  # the second insert broke the unique key
    assert ledger_notes(empty_ledger) == []  # the first insert was rolled back with it
    empty_ledger.execute("trap.AddTwoEntries", first_note="one", second_note="two")
    assert ledger_notes(empty_ledger) == ["one", "two"]  # the session is usable again


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_payloads_passed_as_parameters_are_stored_as_data(empty_ledger, payload):
    result = empty_ledger.execute("trap.AddLedgerEntry", note=payload, amount="2.50")
    assert result.rows["note"].tolist() == [payload]
    assert ledger_notes(empty_ledger) == [payload]
    assert len(empty_ledger.query("SELECT batch_id FROM etl.batch;").columns) == 1  # still there


def test_injection_payloads_in_query_parameters_are_data(engine):
    payload = INJECTIONS[0]
    frame = engine.query("SELECT @value AS value, LEN(@value) AS length;", {"value": payload})
    assert frame.to_dict("records") == [{"value": payload, "length": len(payload)}]


def test_nested_transactions_count_trancount_and_exec_returns_the_inner_code(empty_ledger):
    result = empty_ledger.execute("trap.NestedOuter")
    inner, outer, after = result.result_sets
    assert inner["inner_trancount"].tolist() == [2]
    assert outer.to_dict("records") == [{"inner_return_code": 7, "outer_trancount": 1}]
    assert after["trancount_after_commit"].tolist() == [0]
    assert ledger_notes(empty_ledger) == ["outer", "inner"]


def test_an_error_in_the_inner_procedure_rolls_back_the_outer_work_too(empty_ledger):
    with pytest.raises(warehouse.ProcedureError) as raised:
        empty_ledger.execute("trap.NestedOuter", inner_fails=1)
    assert raised.value.number == 50020
    assert ledger_notes(empty_ledger) == []
    assert empty_ledger.session.trancount == 0


def test_engine_transaction_wraps_procedure_calls_and_rolls_back_on_error(empty_ledger):
    with pytest.raises(RuntimeError):
        with empty_ledger.transaction():
            empty_ledger.execute("trap.AddLedgerEntry", note="inside", amount=1)
            raise RuntimeError("caller failed after the procedure")
    assert ledger_notes(empty_ledger) == []
    with empty_ledger.transaction():
        empty_ledger.execute("trap.AddLedgerEntry", note="kept", amount=1)
    assert ledger_notes(empty_ledger) == ["kept"]


def test_select_assignment_and_server_only_applock_is_skipped(empty_ledger):
    empty_ledger.execute("trap.AddLedgerEntry", note="a", amount="1.25")
    empty_ledger.execute("trap.AddLedgerEntry", note="b", amount="2.50")
    summary = empty_ledger.execute("trap.LedgerSummary").rows
    assert summary.to_dict("records") == [{"lock_result": 0, "entries": 2, "total": Decimal("3.75")}]


def test_unknown_procedure_and_bad_parameters_are_usage_errors(engine):
    with pytest.raises(warehouse.UnknownProcedure, match="etl.NoSuchThing"):
        engine.execute("etl.NoSuchThing")
    with pytest.raises(warehouse.ParameterError, match="@batch_idx is not a parameter"):
        engine.execute("etl.FinishBatch", batch_idx=1)
    with pytest.raises(warehouse.ParameterError, match="@batch_id"):
        engine.execute("etl.FinishBatch", batch_id="not a number")
    with pytest.raises(warehouse.ParameterError, match="expects parameter '@note'"):
        engine.execute("trap.AddLedgerEntry", amount=1)


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        ("SELECT nosuch_column FROM etl.batch;", "nosuch_column"),
        ("SELECT * FROM etl.nosuch_table;", "nosuch_table"),
        ("SELECT nosuch_function(1) AS x;", "nosuch_function"),
    ],
)
def test_a_query_duckdb_cannot_bind_is_a_one_line_usage_error(engine, sql, named):
    with pytest.raises(warehouse.InvalidSql) as raised:
        engine.query(sql)
    message = str(raised.value)
    assert named in message and "\n" not in message and not message.startswith("error")
    assert engine.query("SELECT 1 AS x;")["x"].tolist() == [1]  # the session is usable again


def test_an_error_while_a_query_runs_stays_a_procedure_error(engine):
    with pytest.raises(warehouse.ProcedureError) as raised:
        engine.query("SELECT 1 / 0 AS x;")
    assert raised.value.number == 8134


def test_start_batch_is_idempotent_and_finish_batch_records_the_outcome(engine):
    started_at = dt.datetime(2011, 12, 9, 12, 50)
    first = engine.execute("etl.StartBatch", source="online_retail.csv.gz", started_at=started_at)
    again = engine.execute("etl.StartBatch", source="online_retail.csv.gz", started_at=started_at)
    assert first.return_code == 0
    assert first.rows.to_dict("records") == again.rows.to_dict("records")
    batch_id = int(first.rows["batch_id"][0])
    assert first.rows["status"].tolist() == ["running"]

    finished = engine.execute("etl.FinishBatch", batch_id=batch_id, rows_read=10, rows_loaded=9, rows_rejected=1).rows
    assert finished[["status", "rows_read", "rows_loaded", "rows_rejected"]].to_dict("records") == [
        {"status": "succeeded", "rows_read": 10, "rows_loaded": 9, "rows_rejected": 1}
    ]
    finished_again = engine.execute("etl.FinishBatch", batch_id=batch_id, rows_read=10, rows_loaded=9, rows_rejected=1).rows
    assert finished_again["finished_at"].tolist() == finished["finished_at"].tolist()


@pytest.mark.parametrize(
    ("procedure", "arguments", "number"),
    [
        ("etl.StartBatch", {"source": "   "}, 50001),
        ("etl.FinishBatch", {}, 50002),
        ("etl.FinishBatch", {"batch_id": 1, "status": "done"}, 50003),
        ("etl.FinishBatch", {"batch_id": 1, "rows_read": -1}, 50004),
        ("etl.FinishBatch", {"batch_id": 987654}, 50005),
    ],
)
def test_lineage_procedures_refuse_bad_input_with_numbered_errors(engine, procedure, arguments, number):
    with pytest.raises(warehouse.ProcedureError) as raised:
        engine.execute(procedure, **arguments)
    assert raised.value.number == number
