"""Shared for the flow tests: generated raw drops, an isolated workspace, table checksums."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from analytics.synthetic import generate

CIP_VARIABLES = ("CIP_INPUTS", "CIP_WORK_DIR", "CIP_WAREHOUSE_URL", "CIP_OUTPUT_DIR", "CIP_CHUNK_ROWS", "CIP_LANDING_DIR")
# Lineage columns differ between two histories that reach the same data (batch ids, timestamps).
LINEAGE = {"batch_id", "started_at", "finished_at"}


@dataclass(frozen=True)
class Drops:
    """One generated export and two overlapping monthly-style drops cut from it."""

    whole: Path  # every line
    first: Path  # the first two thirds of the lines
    second: Path  # the last two thirds: the middle third is in both drops


@pytest.fixture(scope="session")
def drops(tmp_path_factory) -> Drops:
    folder = tmp_path_factory.mktemp("drops")
    whole = folder / "online_retail_2010_2011.csv"
    generate(4_000, 11, whole)
    header, *lines = whole.read_text(encoding="utf-8").splitlines(keepends=True)
    third = len(lines) // 3
    first, second = folder / "drop_2011_a.csv", folder / "drop_2011_b.csv"
    first.write_text(header + "".join(lines[: 2 * third]), encoding="utf-8")
    second.write_text(header + "".join(lines[third:]), encoding="utf-8")
    return Drops(whole, first, second)


@pytest.fixture
def workspace(tmp_path, monkeypatch, prefect_api) -> Path:
    """An empty working folder with no CIP_* variables from outside; the warehouse is
    ./.cip/warehouse.duckdb, the landing folder ./landing."""
    monkeypatch.chdir(tmp_path)
    for variable in CIP_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    return tmp_path


def warehouse_file(folder: Path) -> Path:
    return folder / ".cip" / "warehouse.duckdb"


def checksums(database: Path) -> dict[str, tuple]:
    """Row count and an order-independent hash per table of etl, dw and mart, lineage columns
    left out; etl.batch reduced to its succeeded loads (what was loaded, from which content);
    etl.deployment (when sql/ was deployed) is history, not data."""
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = connection.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE schema_name IN ('etl', 'dw', 'mart') AND NOT (schema_name = 'etl' AND table_name = 'deployment') ORDER BY ALL"
        ).fetchall()
        sums = {}
        for schema, table in tables:
            columns = [
                c for (c,) in connection.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? ORDER BY column_index", [schema, table]
                ).fetchall()
                if c not in LINEAGE
            ]  # fmt: skip
            where = "WHERE status = 'succeeded'" if (schema, table) == ("etl", "batch") else ""
            row = ", ".join(f'"{c}"' for c in columns)
            sums[f"{schema}.{table}"] = connection.execute(
                f"SELECT count(*), coalesce(sum(hash({row})::HUGEINT), 0) FROM {schema}.{table} {where}"
            ).fetchone()
    return sums


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchall()
