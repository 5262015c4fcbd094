"""The takeaway sentences (executive/story.py) against numbers recomputed independently with plain
SQL on the real warehouse file, and on thin data: a tiny warehouse, an empty one, missing marts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from executive.data import read_executive_data
from executive.story import NO_DATA, Takeaways, high_value_at_risk, partial_period_note, retention_at, takeaways
from tests.executive.story_warehouses import Reference, empty_warehouse, pct, pounds, read_file, real_warehouse_file, tiny_warehouse


@pytest.fixture(scope="module")
def real(request, tmp_path_factory):
    path = real_warehouse_file(request, tmp_path_factory)
    data = read_file(path)
    return data, takeaways(data), Reference(path)


def monthly_reference(ref: Reference) -> pd.DataFrame:
    sales = ref.query(
        "SELECT date_trunc('month', invoice_date)::DATE AS month, SUM(revenue)::DOUBLE AS sales, "
        "COUNT(DISTINCT invoice_no) AS orders, MAX(invoice_date)::DATE AS last_day FROM dw.fact_sales GROUP BY 1 ORDER BY 1"
    )
    returns = ref.query("SELECT date_trunc('month', invoice_date)::DATE AS month, SUM(revenue)::DOUBLE AS returns FROM dw.fact_returns GROUP BY 1")
    return sales.merge(returns, on="month", how="left").fillna({"returns": 0.0})


def test_headline_has_the_totals_and_the_last_three_full_months_against_the_three_before(real):
    _, story, ref = real
    net = ref.value("SELECT SUM(revenue)::DOUBLE FROM dw.fact_sales") + ref.value("SELECT SUM(revenue)::DOUBLE FROM dw.fact_returns")
    sales = ref.value("SELECT SUM(revenue)::DOUBLE FROM dw.fact_sales")
    returned = -ref.value("SELECT SUM(revenue)::DOUBLE FROM dw.fact_returns")
    customers = ref.value("SELECT COUNT(*) FROM mart.single_customer_view")
    orders = ref.value("SELECT COUNT(DISTINCT invoice_no) FROM dw.fact_sales")
    for figure in (pounds(net), f"{customers:,} customers", f"{orders:,} orders", pct(returned / sales)):
        assert figure in story.headline
    months = monthly_reference(ref)
    last_day = months["last_day"].iloc[-1]
    assert (last_day + dt.timedelta(days=1)).month == last_day.month  # the real data stops on 9 December 2011
    full = months.iloc[:-1]
    current, prior = full.iloc[-3:], full.iloc[-6:-3]
    now, before = (frame["sales"].sum() + frame["returns"].sum() for frame in (current, prior))
    assert f"net revenue was {pounds(now)}, up {pct(now / before - 1)}" in story.headline
    assert f"({pounds(before)})" in story.headline
    assert f"({current['orders'].sum():,} vs {prior['orders'].sum():,})" in story.headline
    assert "September to November 2011" in story.headline and "June to August 2011" in story.headline
    assert "December 2011 is a partial month" in story.headline and "9 days" in story.headline


def test_segments_name_the_segment_with_the_most_net_revenue_and_its_share(real):
    _, story, ref = real
    segments = ref.query(
        "SELECT segment, COUNT(*) AS customers, SUM(net_revenue)::DOUBLE AS net FROM mart.single_customer_view GROUP BY segment ORDER BY net DESC"
    )
    top = segments.iloc[0]
    assert story.segments.startswith(f"{top['segment']} hold the most value: {top['customers']:,} customers")
    assert pct(top["customers"] / segments["customers"].sum()) in story.segments
    assert f"{pounds(top['net'])}, {pct(top['net'] / segments['net'].sum())} of net revenue" in story.segments


def test_champions_verdict_is_the_validation_in_plain_words(real):
    _, story, ref = real
    champions = ref.query("SELECT * FROM mart.segment_validation ORDER BY segment_order").iloc[0]
    assert bool(champions["is_supported"])
    assert story.champions.startswith("Yes, Champions really are the most valuable customers")
    assert f"spent {pounds(float(champions['future_mean_value']))} on average" in story.champions
    assert f"{pounds(float(champions['future_mean_ci_low']))} to {pounds(float(champions['future_mean_ci_high']))}" in story.champions
    assert f"{champions['customers']:,} customers" in story.champions


def test_cohort_retention_is_customer_weighted_without_the_first_cohort_or_incomplete_months(real):
    _, story, ref = real
    last_full = ref.value("SELECT date_trunc('month', MAX(invoice_date))::DATE FROM dw.fact_sales") - pd.DateOffset(months=1)  # partial December
    for month in (1, 3):
        row = ref.query(
            f"""
            WITH sizes AS (SELECT cohort_month, MAX(cohort_size) AS size FROM mart.cohort_retention GROUP BY cohort_month),
                 eligible AS (SELECT * FROM sizes WHERE cohort_month > (SELECT MIN(cohort_month) FROM sizes)
                              AND cohort_month + INTERVAL {month} MONTH <= DATE '{last_full.date()}')
            SELECT SUM(COALESCE(r.active_customers, 0))::DOUBLE / SUM(e.size) AS rate, SUM(e.size) AS customers, COUNT(*) AS cohorts
            FROM eligible AS e LEFT JOIN mart.cohort_retention AS r ON r.cohort_month = e.cohort_month AND r.month_index = {month}
            """
        ).iloc[0]
        assert f"{pct(row['rate'])} buy again in month {month} ({int(row['cohorts'])} cohorts, {int(row['customers']):,} customers)" in story.cohorts
    assert "the December 2010 cohort is left out" in story.cohorts and "not complete yet" in story.cohorts


def test_the_top_rule_in_business_language(real):
    _, story, ref = real
    rule = ref.query("SELECT * FROM mart.product_association ORDER BY rule_rank LIMIT 1").iloc[0]
    first, second = (str(rule[side]).capitalize() for side in ("antecedent_descriptions", "consequent_descriptions"))
    assert story.rules.startswith(f"Customers who buy {first} are {float(rule['lift']):.1f} times as likely")
    assert f"to buy {second}" in story.rules and f"{rule['both_baskets']:,} of {rule['total_baskets']:,} baskets" in story.rules


def test_churn_revenue_at_risk_and_high_value_customers_match_the_churn_mart(real):
    data, story, ref = real
    high = ref.query("SELECT COUNT(*) AS n, SUM(net_revenue)::DOUBLE AS net FROM mart.customer_churn_risk WHERE risk_band = 'high'").iloc[0]
    flagged = ref.query("SELECT customer_id FROM mart.customer_churn_risk WHERE is_high_value_at_risk ORDER BY net_revenue DESC, customer_id")
    assert story.churn.startswith(f"{int(high['n']):,} customers")
    assert f"they hold {pounds(high['net'])} of net revenue" in story.churn
    assert f"{len(flagged):,} of them are high-value customers" in story.churn
    assert high_value_at_risk(data)["customer_id"].tolist() == flagged["customer_id"].tolist()


def test_whales_and_their_share_match_the_whale_mart(real):
    _, story, ref = real
    whales = ref.query("SELECT COUNT(*) AS n, SUM(net_revenue)::DOUBLE AS net FROM mart.customer_whale WHERE is_whale").iloc[0]
    total = ref.value("SELECT SUM(net_revenue)::DOUBLE FROM mart.single_customer_view")
    assert f"({int(whales['n']):,} whales), hold {pounds(whales['net'])}: {pct(whales['net'] / total)} of all customers' net revenue" in story.whales


def test_data_quality_accounts_for_every_row_of_the_ledger(real):
    _, story, ref = real
    ledger = ref.query("SELECT disposition, rule_name, SUM(row_count) AS n FROM etl.cleaning_ledger GROUP BY ALL")
    by = ledger.groupby("disposition")["n"].sum()
    assert story.data_quality.startswith(f"{int(ledger['n'].sum()):,} raw rows came in: {int(by['sale']):,} sale lines kept")
    assert f"{int(by['return']):,} return lines" in story.data_quality and f"{int(by['excluded']):,} (" in story.data_quality
    missing = int(ledger.loc[ledger["rule_name"] == "missing_customer", "n"].iloc[0])
    assert f"no customer ID ({missing:,})" in story.data_quality


def test_the_partial_month_note_and_retention_helpers(real):
    data, _, _ = real
    note = "December 2011 is a partial month (the data stops on 9 December 2011, 9 days in), so it is left out of comparisons."
    assert partial_period_note(data) == note
    month_12 = retention_at(data, 12)  # only the first cohort reaches month 12, and it falls in the partial month
    assert (month_12.rate, month_12.cohorts) == (None, 0)


def test_every_takeaway_is_a_sentence_with_a_number(real):
    _, story, _ = real
    for name, sentence in dataclasses.asdict(story).items():
        assert sentence.endswith(".") and any(ch.isdigit() for ch in sentence), name


def test_a_tiny_warehouse_says_what_the_data_cannot_support(tmp_path):
    with tiny_warehouse(tmp_path) as engine:
        story = takeaways(read_executive_data(engine))
    assert story.headline.startswith("On 1 December 2010, 4 customers placed 4 orders worth £76 in net revenue")
    assert "With no full month of data there is no prior 3-month period to compare with." in story.headline
    first_cohort_only = "the December 2010 cohort holds every customer already active when the data starts, not new ones."
    assert story.cohorts == f"Retention cannot be measured yet: {first_cohort_only}"
    assert story.champions == "Whether Champions really are the most valuable customers is not tested yet: the analytics have not run yet."
    for sentence in (story.rules, story.churn, story.whales):
        assert sentence.startswith("The analytics have not run on this data yet")
    assert story.data_quality.startswith("17 raw rows came in: 5 sale lines kept, 2 return lines kept as returns, and 10 (58.8%) left out")


def test_an_empty_warehouse_says_no_data_was_loaded():
    with empty_warehouse() as engine:
        story = takeaways(read_executive_data(engine))
    assert story == Takeaways(**dict.fromkeys(Takeaways.__dataclass_fields__, NO_DATA))


def test_missing_rules_and_validation_after_analytics_are_said_so(real):
    data, _, _ = real
    thin = dataclasses.replace(data, rules=data.rules.iloc[0:0], segment_validation=data.segment_validation.iloc[0:0])
    story = takeaways(thin)
    assert story.rules == "No pair of products is bought together often enough to make a product association rule in this data."
    assert story.champions.endswith("not tested yet: the data is too short to hold back a later period.")
