"""Shared engines: deploying costs time, so each module shares one in-memory warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

import warehouse

FIXTURE_SQL = Path(__file__).parent / "sql"


@pytest.fixture(scope="module")
def engine():
    """An in-memory DuckDB warehouse with the product's sql/ and the test procedures deployed."""
    with warehouse.connect("duckdb:///:memory:") as engine:
        engine.deploy()
        engine.deploy(FIXTURE_SQL)
        yield engine


@pytest.fixture
def empty_ledger(engine):
    """trap.ledger emptied before the test (its identity keeps counting, as on SQL Server)."""
    engine.query("DELETE FROM trap.ledger;")
    return engine


def ledger_notes(engine) -> list[str]:
    return engine.query("SELECT note FROM trap.ledger ORDER BY ledger_id;")["note"].tolist()
