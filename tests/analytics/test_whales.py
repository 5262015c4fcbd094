"""Whales: the top 1% of customers by net revenue, and their share of it."""

import re

import pandas as pd
import pytest

from analytics.whales import customer_net_revenue, flag_whales, whale_summary


def customers_worth(values: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": list(values), "net_revenue": list(values.values())})


def test_whales_and_their_share_by_hand():
    # ten customers, 100 in all
    customers = customers_worth({1: 5, 2: 50, 3: 20, 4: 10, 5: 5, 6: 4, 7: 3, 8: 2, 9: 1, 10: 0})
    flags = flag_whales(customers, share_of_customers=0.1)  # ceil(0.1 x 10) = 1 whale
    assert flags["customer_id"].tolist()[:3] == [2, 3, 4]
    assert flags.loc[flags["is_whale"], "customer_id"].tolist() == [2]
    assert whale_summary(flags) == {
        "whales": 1,
        "customers": 10,
        "customer_share": 0.1,
        "revenue_share": 0.5,
        "whale_min_net_revenue": 50.0,
    }
    flags = flag_whales(customers, share_of_customers=0.25)  # ceil(2.5) = 3 whales: 50 + 20 + 10
    assert flags.loc[flags["is_whale"], "customer_id"].tolist() == [2, 3, 4]
    assert whale_summary(flags)["revenue_share"] == pytest.approx(0.8)
    assert flags["cumulative_revenue_share"].tolist()[:3] == pytest.approx([0.5, 0.7, 0.8])
    # ties in revenue go to the lower customer_id: 1 and 5 both have 5
    assert flags.set_index("customer_id").loc[[1, 5], "revenue_rank"].tolist() == [4, 5]


def test_the_default_is_the_top_one_percent_and_at_least_one_customer():
    customers = customers_worth({c: float(c) for c in range(1, 151)})
    assert flag_whales(customers)["is_whale"].sum() == 2  # ceil(1.5)
    assert flag_whales(customers.iloc[:3])["is_whale"].sum() == 1


def test_net_revenue_takes_off_returns():
    sales = pd.DataFrame({"customer_id": [1, 1, 2], "revenue": [100.0, 50.0, 80.0]})
    returns = pd.DataFrame({"customer_id": [1, 3], "revenue": [-150.0, -5.0]})  # 3 returned without a sale
    net = customer_net_revenue(sales, returns)
    assert net.to_dict("list") == {"customer_id": [1, 2], "net_revenue": [0.0, 80.0]}
    assert flag_whales(net, 0.5).loc[lambda f: f["is_whale"], "customer_id"].tolist() == [2]


@pytest.mark.parametrize(
    "customers, share, message",
    [
        (customers_worth({1: 1.0}), 0, "share_of_customers must be a number within the interval (0, 1]. Got 0."),
        (customers_worth({1: 1.0}), 1.5, "share_of_customers must be a number within the interval (0, 1]. Got 1.5."),
        (customers_worth({}), 0.1, "customers is empty."),
        (pd.DataFrame({"customer_id": [1, 1], "net_revenue": [1.0, 2.0]}), 0.1, "customers must have one row per customer_id."),
        (pd.DataFrame({"customer_id": [1]}), 0.1, "customers lacks columns ['net_revenue']."),
    ],
)
def test_whale_contracts(customers, share, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        flag_whales(customers, share)


def test_real_whales(real_sales, real_returns):
    net = customer_net_revenue(real_sales, real_returns)
    summary = whale_summary(flag_whales(net))
    assert (summary["whales"], summary["customers"]) == (44, 4_338)
    assert round(summary["revenue_share"], 4) == 0.2997  # 44 customers, 30% of net revenue
    independent = net["net_revenue"].nlargest(44).sum() / net["net_revenue"].sum()
    assert summary["revenue_share"] == pytest.approx(independent)
