"""The executive deck (executive/deck.py) built from the real warehouse and read back with
python-pptx: slides, titles, takeaways, native charts whose values equal the marts (recomputed with
plain SQL on the warehouse file), formatted tables; and the decks of thin data.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from executive.data import read_executive_data
from executive.deck import EMPTY_TITLES, TITLES, write_deck
from executive.story import NO_DATA, takeaways
from tests.executive.story_warehouses import Reference, empty_warehouse, pct, pounds, read_file, real_warehouse_file, tiny_warehouse

TAKEAWAY_OF = ("headline", "monthly", "segments", "champions", "cohorts", "rules", "churn", "whales", "data_quality")


@pytest.fixture(scope="module")
def real(request, tmp_path_factory):
    path = real_warehouse_file(request, tmp_path_factory)
    data = read_file(path)
    deck_file = write_deck(data, tmp_path_factory.mktemp("deck") / "out" / "deck.pptx")
    return data, Presentation(str(deck_file)), Reference(path)


def slide(deck, title: str):
    return next(s for s in deck.slides if s.shapes.title is not None and s.shapes.title.text == title)


def shape(slide_, name: str):
    return next(s for s in slide_.shapes if s.name == name)


def charts(slide_) -> list:
    return [s.chart for s in slide_.shapes if s.has_chart]


def tables(slide_) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in s.table.rows] for s in slide_.shapes if s.has_table]


def values(chart, index: int = 0) -> list[float]:
    return list(chart.plots[0].series[index].values)


def test_slides_titles_and_each_takeaway_as_the_subtitle(real):
    data, deck, _ = real
    assert [s.shapes.title.text for s in deck.slides] == list(TITLES)
    story = takeaways(data)
    for title, field in zip(TITLES[1:], TAKEAWAY_OF, strict=True):
        assert shape(slide(deck, title), "Takeaway").text_frame.text == getattr(story, field)
    assert "Data from 1 December 2010 to 9 December 2011" in deck.slides[0].placeholders[1].text_frame.text
    assert not any(s.shape_type == MSO_SHAPE_TYPE.PICTURE for page in deck.slides for s in page.shapes)  # charts are native, not images


def test_headline_kpis_are_the_warehouse_totals(real):
    _, deck, ref = real
    page = slide(deck, "Headline figures")
    net = ref.value("SELECT (SELECT SUM(revenue) FROM dw.fact_sales) + (SELECT SUM(revenue) FROM dw.fact_returns)")
    orders = ref.value("SELECT COUNT(DISTINCT invoice_no) FROM dw.fact_sales")
    assert pounds(float(net)) in shape(page, "KPI Net revenue").text_frame.text
    assert f"{orders:,}" in shape(page, "KPI Orders").text_frame.text
    [comparison] = tables(page)
    assert comparison[0][1:] == ["Jun 2011 - Aug 2011", "Sep 2011 - Nov 2011", "Change"]


def test_monthly_revenue_chart_is_fact_sales_by_month_with_the_partial_month_marked(real):
    _, deck, ref = real
    months = ref.query(
        """
        WITH s AS (SELECT date_trunc('month', invoice_date) AS m, SUM(revenue)::DOUBLE AS sales FROM dw.fact_sales GROUP BY 1),
             r AS (SELECT date_trunc('month', invoice_date) AS m, SUM(revenue)::DOUBLE AS returns FROM dw.fact_returns GROUP BY 1)
        SELECT s.m, s.sales, s.sales + COALESCE(r.returns, 0) AS net FROM s LEFT JOIN r USING (m) ORDER BY s.m
        """
    )
    [chart] = charts(slide(deck, "Monthly revenue"))
    categories = list(chart.plots[0].categories)
    assert categories[0] == "Dec 2010" and categories[-1] == "Dec 2011 (partial)" and len(categories) == len(months)
    assert [series.name for series in chart.plots[0].series] == ["Sales revenue", "Net revenue (after returns)"]
    assert values(chart, 0) == pytest.approx(months["sales"].tolist(), abs=0.01)
    assert values(chart, 1) == pytest.approx(months["net"].tolist(), abs=0.01)


def test_segment_charts_are_the_single_customer_view(real):
    _, deck, ref = real
    segments = ref.query(
        "SELECT segment, COUNT(*) AS customers, SUM(net_revenue)::DOUBLE AS net FROM mart.single_customer_view GROUP BY 1 ORDER BY net DESC, segment"
    )
    bar, doughnut = charts(slide(deck, "Customer segments"))
    assert list(bar.plots[0].categories) == segments["segment"].tolist() == list(doughnut.plots[0].categories)
    assert values(bar) == segments["customers"].astype(float).tolist()
    assert values(doughnut) == pytest.approx((segments["net"] / segments["net"].sum()).tolist())


def test_champions_proof_table_is_the_segment_validation(real):
    _, deck, ref = real
    validation = ref.query("SELECT * FROM mart.segment_validation ORDER BY segment_order")
    [table] = tables(slide(deck, "Are Champions really the best customers?"))
    assert [row[0] for row in table[1:]] == validation["segment"].tolist()
    champions, other = table[1], table[2]
    assert champions[1:4] == [
        f"{validation['customers'][0]:,}",
        pounds(float(validation["future_mean_value"][0])),
        f"{pounds(float(validation['future_mean_ci_low'][0]))} to {pounds(float(validation['future_mean_ci_high'][0]))}",
    ]
    assert other[4:] == ["< 0.0001", "Yes"] and float(validation["p_value_holm"][1]) < 0.0001
    assert "Mann-Whitney" in shape(slide(deck, "Are Champions really the best customers?"), "Method").text_frame.text


def test_cohort_heatmap_is_the_cohort_mart_with_first_cohort_and_partial_months_flagged(real):
    _, deck, ref = real
    cells = ref.query("SELECT cohort_month, month_index, retention_rate::DOUBLE AS rate, cohort_size FROM mart.cohort_retention")
    page = slide(deck, "Cohort retention")
    [table] = tables(page)
    assert table[0][:3] == ["Cohort", "Customers", "M0"] and len(table) == 1 + cells["cohort_month"].nunique()
    assert table[1][0] == "Dec 2010 (existing)" and table[2][0] == "Jan 2011"
    jan = cells[cells["cohort_month"] == pd.Timestamp("2011-01-01")].set_index("month_index")
    assert table[2][1] == f"{jan['cohort_size'].iloc[0]:,}"
    assert table[2][2 + 1] == f"{100 * jan.at[1, 'rate']:.0f}%"
    assert table[2][2 + 11] == f"{100 * jan.at[11, 'rate']:.0f}%*"  # January 2011 + 11 months = the partial December
    assert table[2][2 + 12] == ""  # past the end of the data
    grid = next(s for s in page.shapes if s.has_table).table

    def darkness(column: int) -> int:
        return -sum(grid.cell(2, column).fill.fore_color.rgb)

    low, high = sorted((1, 4), key=lambda month: jan.at[month, "rate"])  # January 2011: month 1 22%, month 4 32%
    assert darkness(2 + high) > darkness(2 + low)  # shaded by rate: the higher rate is darker
    partial = grid.cell(2, 2 + 11)
    assert str(partial.fill.fore_color.rgb) == "F2F2F2" and partial.text_frame.paragraphs[0].runs[0].font.italic


def test_rules_table_reads_in_business_language(real):
    _, deck, ref = real
    top = ref.query("SELECT * FROM mart.product_association ORDER BY rule_rank LIMIT 10")
    [table] = tables(slide(deck, "Products bought together"))
    assert len(table) == 1 + len(top)
    first = table[1]
    assert first[1] == f"Customers who buy {top['antecedent_descriptions'][0].capitalize()}"
    assert first[2] == f"are {float(top['lift'][0]):.1f} times as likely to buy {top['consequent_descriptions'][0].capitalize()}"
    assert first[4] == f"{top['both_baskets'][0]:,}"


def test_churn_slide_is_the_churn_mart(real):
    _, deck, ref = real
    bands = ref.query("SELECT risk_band, SUM(net_revenue)::DOUBLE AS net FROM mart.customer_churn_risk GROUP BY 1").set_index("risk_band")["net"]
    flagged = ref.query(
        "SELECT customer_id, net_revenue::DOUBLE AS net, churn_probability::DOUBLE AS p FROM mart.customer_churn_risk "
        "WHERE is_high_value_at_risk ORDER BY net_revenue DESC, customer_id"
    )
    page = slide(deck, "Churn risk")
    [chart] = charts(page)
    assert list(chart.plots[0].categories) == ["High risk", "Medium risk", "Low risk"]
    assert values(chart) == pytest.approx([bands["high"], bands["medium"], bands["low"]])
    [table] = tables(page)
    assert [row[0] for row in table[1:]] == [str(c) for c in flagged["customer_id"][:12]]
    assert [row[3] for row in table[1:]] == [pounds(v) for v in flagged["net"][:12]]
    assert [row[4] for row in table[1:]] == [pct(v, 0) for v in flagged["p"][:12]]


def test_whales_slide_is_the_whale_mart(real):
    _, deck, ref = real
    whales = ref.query("SELECT customer_id, net_revenue::DOUBLE AS net FROM mart.customer_whale WHERE is_whale ORDER BY revenue_rank")
    total = ref.value("SELECT SUM(net_revenue)::DOUBLE FROM mart.single_customer_view")
    page = slide(deck, "Whales")
    [chart] = charts(page)
    assert list(chart.plots[0].categories)[0] == f"{len(whales)} whales"
    assert values(chart) == pytest.approx([whales["net"].sum(), total - whales["net"].sum()])
    [table] = tables(page)
    assert [row[1] for row in table[1:]] == [str(c) for c in whales["customer_id"][:10]]
    assert table[1][4] == pct(whales["net"][0] / total)


def test_data_quality_table_is_the_ledger(real):
    _, deck, ref = real
    ledger = ref.query("SELECT rule_name, row_count FROM etl.cleaning_ledger")
    [table] = tables(slide(deck, "Data quality"))
    assert table[-1][0] == "Rows in" and table[-1][2] == f"{int(ledger['row_count'].sum()):,}"
    rows = {row[1]: row[2] for row in table[1:-1]}
    assert rows == {name.replace("_", " "): f"{int(n):,}" for name, n in zip(ledger["rule_name"], ledger["row_count"], strict=True)}


def test_every_run_replaces_the_deck(real, tmp_path):
    data, _, _ = real
    path = tmp_path / "deck.pptx"
    path.write_bytes(b"last run's deck")
    assert write_deck(data, path) == path
    assert len(Presentation(str(path)).slides) == len(TITLES)
    assert [p.name for p in tmp_path.iterdir()] == ["deck.pptx"]  # no half-written file left behind


def test_a_tiny_warehouse_gives_a_deck_that_says_what_is_missing(tmp_path):
    with tiny_warehouse(tmp_path) as engine:
        data = read_executive_data(engine)
    deck = Presentation(str(write_deck(data, tmp_path / "tiny.pptx")))
    assert [s.shapes.title.text for s in deck.slides] == list(TITLES)
    for title in ("Are Champions really the best customers?", "Products bought together", "Churn risk", "Whales"):
        assert "have not run" in shape(slide(deck, title), "Missing").text_frame.text
    assert "Too few full months" in shape(slide(deck, "Headline figures"), "Missing").text_frame.text
    [monthly] = charts(slide(deck, "Monthly revenue"))
    assert list(monthly.plots[0].categories) == ["Dec 2010 (partial)"]
    [cohorts] = tables(slide(deck, "Cohort retention"))
    assert cohorts[1][:3] == ["Dec 2010 (existing)", "4", "100%*"]


def test_an_empty_warehouse_gives_a_short_deck_saying_no_data_was_loaded(tmp_path):
    with empty_warehouse() as engine:
        data = read_executive_data(engine)
    deck = Presentation(str(write_deck(data, tmp_path / "empty.pptx")))
    assert [s.shapes.title.text for s in deck.slides] == list(EMPTY_TITLES)
    page = slide(deck, "No data loaded")
    assert shape(page, "Takeaway").text_frame.text == NO_DATA
    assert "cip run" in shape(page, "Missing").text_frame.text


def test_analytics_without_rules_or_validation_say_so(real, tmp_path):
    data, _, _ = real
    thin = dataclasses.replace(data, rules=data.rules.iloc[0:0], segment_validation=data.segment_validation.iloc[0:0])
    deck = Presentation(str(write_deck(thin, tmp_path / "thin.pptx")))
    assert "bought together often enough" in shape(slide(deck, "Products bought together"), "Missing").text_frame.text
    assert "too short to test it" in shape(slide(deck, "Are Champions really the best customers?"), "Missing").text_frame.text
