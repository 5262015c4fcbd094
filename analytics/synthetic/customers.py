"""The customers of the plan: their ids, home countries and how many invoices each buys (a few whales, a few with a second country)."""

from __future__ import annotations

import numpy as np

from analytics.synthetic.calibration import (
    COUNTRIES,
    CUSTOMER_ACTIVITY_SIGMA,
    CUSTOMER_COUNTRIES,
    FIRST_CUSTOMER_ID,
    GUEST_COUNTRIES,
    MAX_CUSTOMERS,
    REAL_CUSTOMER_ID_STEP,
    REAL_CUSTOMERS,
    REAL_MULTI_COUNTRY_CUSTOMERS,
    UK,
    scaled,
)
from analytics.synthetic.invoices import CUSTOMER_SALE, GUEST_SALE
from analytics.synthetic.randomness import pick


def assign_customers(rows: int, kind: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Customer id and country per invoice (customer sales and guests; cancellations come later)."""
    n_customers = min(MAX_CUSTOMERS, max(20, scaled(rows, REAL_CUSTOMERS)))
    span = min(MAX_CUSTOMERS, round(n_customers * REAL_CUSTOMER_ID_STEP))
    ids = FIRST_CUSTOMER_ID + np.concatenate([[0], np.sort(rng.choice(np.arange(1, span), n_customers - 1, replace=False))])
    home = rng.permutation(_country_quota(n_customers))

    sales = np.flatnonzero(kind == CUSTOMER_SALE)
    activity = rng.lognormal(0.0, CUSTOMER_ACTIVITY_SIGMA, size=n_customers)
    if len(sales) >= n_customers:  # everybody buys at least once; whales buy a lot
        counts = 1 + rng.multinomial(len(sales) - n_customers, activity / activity.sum())
    else:
        counts = np.zeros(n_customers, dtype=np.int64)
        counts[rng.choice(n_customers, size=len(sales), replace=False)] = 1
    who = rng.permutation(np.repeat(np.arange(n_customers), counts))

    customer = np.zeros(len(kind), dtype=np.int64)
    country = np.full(len(kind), UK, dtype=np.int16)
    customer[sales] = ids[who]
    country[sales] = home[who]
    _second_countries(sales, who, counts, home, country, rng)

    guests = np.flatnonzero(kind == GUEST_SALE)
    guest_weight = np.array(list(GUEST_COUNTRIES.values()), dtype=float)
    guest_country = np.array([COUNTRIES.index(c) for c in GUEST_COUNTRIES], dtype=np.int16)
    country[guests] = guest_country[pick(rng.random(len(guests)), guest_weight)]
    return customer, country


def _country_quota(n_customers: int) -> np.ndarray:
    """Home country per customer in the real proportions; every country present once there is room."""
    names = list(CUSTOMER_COUNTRIES)
    share = np.array(list(CUSTOMER_COUNTRIES.values()), dtype=float)
    counts = _largest_remainder(n_customers, share)
    if n_customers >= 10 * len(names):
        counts = np.maximum(counts, 1)
        counts[names.index("United Kingdom")] -= counts.sum() - n_customers
    index = np.array([COUNTRIES.index(c) for c in names], dtype=np.int16)
    return np.repeat(index, counts)


def _second_countries(
    sales: np.ndarray,
    who: np.ndarray,
    counts: np.ndarray,
    home: np.ndarray,
    country: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """A few customers (8 of 4,372 in the real file) also buy under a second country."""
    candidates = np.flatnonzero(counts >= 2)
    n_multi = min(len(candidates), round(len(counts) * REAL_MULTI_COUNTRY_CUSTOMERS / REAL_CUSTOMERS))
    if n_multi == 0:
        return
    names = list(CUSTOMER_COUNTRIES)
    weight = np.array(list(CUSTOMER_COUNTRIES.values()), dtype=float)
    index = np.array([COUNTRIES.index(c) for c in names], dtype=np.int16)
    for c in rng.choice(candidates, size=n_multi, replace=False):
        w = np.where(index == home[c], 0.0, weight)
        other = index[pick(rng.random(1), w)[0]]
        invoices = sales[who == c]
        moved = rng.permutation(len(invoices))[: int(rng.integers(1, len(invoices)))]
        country[invoices[moved]] = other


def _largest_remainder(n: int, weights: np.ndarray) -> np.ndarray:
    exact = n * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    counts[np.argsort(-(exact - counts), kind="stable")[: n - counts.sum()]] += 1
    return counts
