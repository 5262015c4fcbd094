"""The real data's clean streams for the analytics tests (cleaned once per session by tests/conftest.py), and the warehouse's segment map."""

import pandas as pd
import pytest

import warehouse
from analytics.marts.inputs import read_segment_map


@pytest.fixture(scope="session")
def real_sales(real_cleaned) -> pd.DataFrame:
    """The clean sales of the bundled UCI Online Retail file."""
    return pd.read_parquet(real_cleaned.sales_file)


@pytest.fixture(scope="session")
def real_returns(real_cleaned) -> pd.DataFrame:
    """The clean returns of the bundled UCI Online Retail file."""
    return pd.read_parquet(real_cleaned.returns_file)


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
