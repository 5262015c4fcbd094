"""The real data, cleaned once per test session for the analytics tests, and the warehouse's segment map."""

import pandas as pd
import pytest

import warehouse
from analytics.clean_exports import CleanedData, clean_exports
from analytics.warehouse_analytics import read_segment_map
from core.paths import BUNDLED_DATA


@pytest.fixture(scope="session")
def real_cleaned(tmp_path_factory) -> CleanedData:
    """The bundled UCI Online Retail file, cleaned: the parquet streams and the ledger."""
    return clean_exports([BUNDLED_DATA], tmp_path_factory.mktemp("real_streams") / "clean")


@pytest.fixture(scope="session")
def real_streams(real_cleaned) -> dict[str, pd.DataFrame]:
    """The clean sales and returns of the bundled UCI Online Retail file, by stream name."""
    return {"sale": pd.read_parquet(real_cleaned.stream("sale")), "return": pd.read_parquet(real_cleaned.stream("return"))}


@pytest.fixture(scope="session")
def real_sales(real_streams) -> pd.DataFrame:
    return real_streams["sale"]


@pytest.fixture(scope="session")
def real_returns(real_streams) -> pd.DataFrame:
    return real_streams["return"]


@pytest.fixture(scope="session")
def seeded_warehouse():
    """An in-memory warehouse with sql/ deployed and the default segment map seeded (no data)."""
    with warehouse.connect("duckdb:///:memory:") as engine:
        engine.deploy()
        engine.execute("mart.SeedRfmSegmentMap")
        yield engine


@pytest.fixture(scope="session")
def segment_map(seeded_warehouse) -> pd.DataFrame:
    """The default segment map as the warehouse holds it (mart.SeedRfmSegmentMap), read like a run reads it."""
    return read_segment_map(seeded_warehouse)
