"""The up-front checks the analyses share: a frame has the columns it needs, a number is a number,
a time window fits in the data."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import pandas as pd


def require_columns(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    """Raise ValueError naming `name` and every column of `columns` that `frame` lacks."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks columns {missing}.")


def is_integer(value: object) -> bool:
    """An integer of any kind (Python or NumPy), but not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_finite_number(value: object) -> bool:
    """A finite real number of any kind (Python or NumPy), but not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def require_positive_integer(name: str, value: object) -> None:
    """Raise ValueError unless `value` is an integer of at least 1."""
    if not is_integer(value) or value < 1:
        raise ValueError(f"{name} must be a positive integer. Got {value!r}.")


def window_past_the_data(data_end: pd.Timestamp, cutoff: pd.Timestamp, end: pd.Timestamp, span: str) -> str | None:
    """Why the window of `span` from `cutoff` to `end` does not fit in the data, or None when it does.

    `data_end` is the day after the latest sale (the default as-of date)."""
    if end <= data_end:
        return None
    return f"the {span} window after {cutoff.date()} ends {end.date()}, after the data (last sale day {(data_end - pd.Timedelta(days=1)).date()})"
