"""The parameters of an analytics run, each checked against its range when the object is made."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from analytics.checks import is_finite_number, is_integer
from analytics.product_association import ProductAssociationParameters


@dataclass(frozen=True)
class AnalyticsParameters:
    """The parameters of one analytics run, checked when the object is made.

    Parameters
    ----------
    product_association : ProductAssociationParameters (default: ProductAssociationParameters())
        Product association parameters (min support 0.02, min confidence 0.3, min lift 1,
        max_len 2, FP-Growth, baskets of at most 100 products, all countries); checked by
        ProductAssociationParameters.
    segment_months : int (default: 6)
        Length of the future window of the segment validation, 1 to 24 months.
    segment_cutoff : date or None (default: None)
        The day segments are assigned at; None = the as-of date less `segment_months`, so the
        window ends at the as-of date (the latest one the data allows).
    alpha : float (default: 0.05)
        Significance level of the segment validation (and 1 - the CI level), within (0, 0.5].
    bootstrap_resamples : int (default: 2000)
        Bootstrap resamples per segment, 100 to 100,000.
    churn_horizon_days : int (default: 90)
        Churned = no purchase in this many days after a cutoff, 7 to 365.
    high_value_quantile : float (default: 0.8)
        High-value at risk: high risk band and net revenue at or above this quantile, within [0, 1).
    whale_customer_share : float (default: 0.01)
        Whales are this share of customers (the top by net revenue), within (0, 0.5].
    top_rules : int (default: 10)
        Rules shown in the run summary (every rule is written), 0 to 1,000.
    seed : int (default: 0)
        Seed of the bootstrap and the churn model, a non-negative integer.
    """

    product_association: ProductAssociationParameters = field(default_factory=ProductAssociationParameters)
    segment_months: int = 6
    segment_cutoff: dt.date | None = None
    alpha: float = 0.05
    bootstrap_resamples: int = 2000
    churn_horizon_days: int = 90
    high_value_quantile: float = 0.8
    whale_customer_share: float = 0.01
    top_rules: int = 10
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.product_association, ProductAssociationParameters):
            raise ValueError(f"product_association must be a ProductAssociationParameters. Got {self.product_association!r}.")
        _check_integer("segment_months", self.segment_months, 1, 24)
        if self.segment_cutoff is not None and not isinstance(self.segment_cutoff, dt.date):
            raise ValueError(f"segment_cutoff must be a date, or None for the as-of date less segment_months. Got {self.segment_cutoff!r}.")
        _check_number("alpha", self.alpha, 0, 0.5, low_open=True)
        _check_integer("bootstrap_resamples", self.bootstrap_resamples, 100, 100_000)
        _check_integer("churn_horizon_days", self.churn_horizon_days, 7, 365)
        _check_number("high_value_quantile", self.high_value_quantile, 0, 1, high_open=True)
        _check_number("whale_customer_share", self.whale_customer_share, 0, 0.5, low_open=True)
        _check_integer("top_rules", self.top_rules, 0, 1_000)
        _check_integer("seed", self.seed, 0, 2**32 - 1)


def _check_integer(name: str, value, low: int, high: int) -> None:
    if not is_integer(value) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer within [{low:,}, {high:,}]. Got {value!r}.")


def _check_number(name: str, value, low: float, high: float, low_open: bool = False, high_open: bool = False) -> None:
    if not is_finite_number(value) or (value <= low if low_open else value < low) or (value >= high if high_open else value > high):
        interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be a number within the interval {interval}. Got {value!r}.")
