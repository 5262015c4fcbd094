"""The warehouses the story and deck tests read: the real one (a copy of the project's built
.cip/warehouse.duckdb, or built from the bundled data with the product's own code when there is
none, as in CI), a tiny hand-made one and an empty deployed one; plus an independent reader of a
warehouse file (plain DuckDB SQL, read-only) to check the outputs against.
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

import warehouse
from analytics.cleaning.clean_exports import clean_exports
from analytics.marts.run import analyse_warehouse
from core.paths import PROJECT_ROOT
from etl.load import load_batch
from executive.data import ExecutiveData, read_executive_data
from tests.analytics.raw_fixtures import ONLINE_RETAIL, TYPED_ROWS, write_csv
from tests.conftest import once_per_run

BUILT_WAREHOUSE = PROJECT_ROOT / ".cip" / "warehouse.duckdb"


def real_warehouse_file(request, tmp_path_factory) -> Path:
    """A private copy of the real, built and analysed warehouse (the tests may write to it)."""
    if BUILT_WAREHOUSE.is_file():
        source = BUILT_WAREHOUSE
    else:

        def build(folder: Path) -> Path:
            cleaned = request.getfixturevalue("real_cleaned")
            path = folder / "warehouse.duckdb"
            with warehouse.connect(f"duckdb:///{path.as_posix()}") as engine:
                engine.deploy()
                load_batch(engine, cleaned, cleaned.ledger.table())
                analyse_warehouse(engine)
            return path

        source = once_per_run(tmp_path_factory, "executive_real_warehouse", build)
    copy = tmp_path_factory.mktemp("real_warehouse") / "warehouse.duckdb"
    shutil.copyfile(source, copy)
    wal = source.with_name(source.name + ".wal")
    if wal.is_file():
        shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
    return copy


def read_file(path: Path) -> ExecutiveData:
    """The product's read of a warehouse file; the connection is closed before returning."""
    with warehouse.connect(f"duckdb:///{path.as_posix()}") as engine:
        return read_executive_data(engine)


class Reference:
    """Plain SQL on a warehouse file, read-only: the independent side of every check."""

    def __init__(self, path: Path):
        self.path = path

    def query(self, sql: str) -> pd.DataFrame:
        with duckdb.connect(str(self.path), read_only=True) as connection:
            return connection.sql(sql).df()

    def value(self, sql: str):
        return self.query(sql).iloc[0, 0]


@contextmanager
def tiny_warehouse(folder: Path):
    """tests/analytics/raw_fixtures.TYPED_ROWS (five sales of four customers on one day, two
    returns) built into an in-memory warehouse; no analytics (too little data for them)."""
    cleaned = clean_exports([write_csv(TYPED_ROWS, folder / "drop.csv", ONLINE_RETAIL)], folder / "clean")
    with warehouse.connect("duckdb:///:memory:") as engine:
        engine.deploy()
        load_batch(engine, cleaned, cleaned.ledger.table())
        yield engine


@contextmanager
def empty_warehouse():
    """A deployed warehouse into which nothing was loaded."""
    with warehouse.connect("duckdb:///:memory:") as engine:
        engine.deploy()
        yield engine


def pounds(value: float) -> str:
    """Money as the sentences write it, formatted here independently: £8,278,519."""
    return f"{'-' if value < 0 else ''}£{abs(value):,.0f}"


def pct(rate: float, digits: int = 1) -> str:
    return f"{100 * rate:.{digits}f}%"
