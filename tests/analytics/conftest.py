"""The real data, cleaned once per test session for the analytics tests."""

import pandas as pd
import pytest

from analytics.clean_exports import clean_exports
from cip.settings import BUNDLED_DATA


@pytest.fixture(scope="session")
def real_streams(tmp_path_factory) -> dict[str, pd.DataFrame]:
    """The clean sales and returns of the bundled UCI Online Retail file, by stream name."""
    cleaned = clean_exports([BUNDLED_DATA], tmp_path_factory.mktemp("real_streams") / "clean")
    return {"sale": pd.read_parquet(cleaned.stream("sale")), "return": pd.read_parquet(cleaned.stream("return"))}


@pytest.fixture(scope="session")
def real_sales(real_streams) -> pd.DataFrame:
    return real_streams["sale"]


@pytest.fixture(scope="session")
def real_returns(real_streams) -> pd.DataFrame:
    return real_streams["return"]
