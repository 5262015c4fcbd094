"""Whales: the top 1% of customers by net revenue.

Definition: rank customers by net revenue (sales less returns, so a customer who returned what
they bought is not a whale) from highest to lowest, ties by customer_id; the whales are the
first ``ceil(share_of_customers x customers)`` of them (1% by default: 44 of the real data's
4,338). Their revenue share is their net revenue over the net revenue of all customers.
"""

from __future__ import annotations

import math

import pandas as pd

from analytics.checks import require_columns

LINE_COLUMNS = ("customer_id", "revenue")


def customer_net_revenue(sales: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """Sales revenue plus (negative) returns revenue per customer with a sale.

    Returns
    -------
    pandas DataFrame sorted by customer_id: customer_id, net_revenue.
    """
    require_columns(sales, LINE_COLUMNS, "sales")
    require_columns(returns, LINE_COLUMNS, "returns")
    sold = sales.groupby("customer_id")["revenue"].sum()
    returned = returns.groupby("customer_id")["revenue"].sum().reindex(sold.index, fill_value=0.0)
    return (sold + returned).rename("net_revenue").reset_index()


def flag_whales(customers: pd.DataFrame, share_of_customers: float = 0.01) -> pd.DataFrame:
    """Flag the top `share_of_customers` of customers by net revenue.

    Parameters
    ----------
    customers : pandas DataFrame
        customer_id, net_revenue: one row per customer (``customer_net_revenue`` or the
        warehouse's mart.customer_rfm).
    share_of_customers : float (default: 0.01)
        Share of customers who are whales, within (0, 1]; at least one customer is.

    Returns
    -------
    pandas DataFrame sorted by revenue_rank: customer_id, net_revenue, revenue_rank (1 = highest),
    cumulative_revenue_share, is_whale.
    """
    if isinstance(share_of_customers, bool) or not 0 < share_of_customers <= 1:
        raise ValueError(f"share_of_customers must be a number within the interval (0, 1]. Got {share_of_customers!r}.")
    require_columns(customers, ("customer_id", "net_revenue"), "customers")
    if customers.empty:
        raise ValueError("customers is empty.")
    if customers["customer_id"].duplicated().any():
        raise ValueError("customers must have one row per customer_id.")
    ranked = customers[["customer_id", "net_revenue"]].sort_values(["net_revenue", "customer_id"], ascending=[False, True], ignore_index=True)
    ranked["revenue_rank"] = ranked.index + 1
    ranked["cumulative_revenue_share"] = ranked["net_revenue"].cumsum() / ranked["net_revenue"].sum()
    ranked["is_whale"] = ranked["revenue_rank"] <= math.ceil(share_of_customers * len(ranked))
    return ranked


def whale_summary(flags: pd.DataFrame) -> dict[str, float]:
    """Whales, customers, the whales' share of customers and of net revenue, from `flag_whales`."""
    whales = flags[flags["is_whale"]]
    return {
        "whales": len(whales),
        "customers": len(flags),
        "customer_share": len(whales) / len(flags),
        "revenue_share": float(whales["net_revenue"].sum() / flags["net_revenue"].sum()),
        "whale_min_net_revenue": float(whales["net_revenue"].min()),
    }
