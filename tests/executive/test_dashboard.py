"""The executive dashboard, written from a copy of the real warehouse: one self-contained HTML
file whose embedded numbers equal an independent DuckDB read of the warehouse file, which renders
in headless Chromium with no console error and no request, and whose country and segment filters
show that country's (and segment's) numbers. Thin data gives a page saying what is missing.

The warehouses are those of the story and deck tests (tests/executive/story_warehouses.py): a
copy of this checkout's built one (.cip/warehouse.duckdb, or the bundled real data built and
analysed where there is none, as in CI), the tiny hand-made one (no analytics) and an empty
deployed one. The browser tests need Debian's chromium at /usr/bin/chromium and skip without it.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from executive.dashboard import write_dashboard
from executive.data import ExecutiveData, read_executive_data
from executive.story import takeaways
from tests.executive.story_warehouses import empty_warehouse, read_file, real_warehouse_file, tiny_warehouse

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NO_CHROMIUM = "Debian's chromium is not installed at /usr/bin/chromium: apt-get install chromium (the CI script installs it)"


# --- the warehouses, the pages and the independent read ---------------------------------------


@pytest.fixture(scope="module")
def real_warehouse(request, tmp_path_factory) -> Path:
    return real_warehouse_file(request, tmp_path_factory)


@pytest.fixture(scope="module")
def real_data(real_warehouse) -> ExecutiveData:
    return read_file(real_warehouse)


@pytest.fixture(scope="module")
def page(real_data, tmp_path_factory) -> Path:
    return write_dashboard(real_data, tmp_path_factory.mktemp("dashboard") / "customer_intelligence.html")


@pytest.fixture(scope="module")
def html(page) -> str:
    return page.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def embedded(html) -> dict:
    return embedded_data(html)


@pytest.fixture(scope="module")
def thin_page(tmp_path_factory) -> Path:
    """The tiny warehouse's page: four customers on one day, no analytics run."""
    folder = tmp_path_factory.mktemp("thin")
    with tiny_warehouse(folder) as engine:
        data = read_executive_data(engine)
    assert not data.is_empty and not data.has_analytics
    return write_dashboard(data, folder / "thin.html")


@pytest.fixture(scope="module")
def empty_page(tmp_path_factory) -> Path:
    with empty_warehouse() as engine:
        data = read_executive_data(engine)
    return write_dashboard(data, tmp_path_factory.mktemp("empty") / "out" / "dashboard.html")


@pytest.fixture(scope="module")
def db(real_warehouse, real_data):
    """The warehouse file read with plain DuckDB (after the engine closed it), not through our code."""
    with duckdb.connect(str(real_warehouse), read_only=True) as connection:
        yield connection


def embedded_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="cip-data">(.*?)</script>', html, re.S)
    assert match, "the page embeds its data as JSON"
    return json.loads(match.group(1))


def where(country: str | None, segment: str | None) -> tuple[str, list]:
    return "WHERE (? IS NULL OR country_display_name = ?) AND (? IS NULL OR segment = ?)", [country, country, segment, segment]


def segment_counts(db, country: str | None = None) -> dict[str, int]:
    clause, parameters = where(country, None)
    rows = db.execute(f"SELECT segment, COUNT(*) FROM mart.single_customer_view {clause} GROUP BY segment", parameters).fetchall()
    return {segment: int(customers) for segment, customers in rows}


def rf_means(db, country: str | None = None, segment: str | None = None) -> dict[tuple[int, int], tuple[float, int]]:
    clause, parameters = where(country, segment)
    rows = db.execute(
        f"SELECT r_score, f_score, AVG(monetary), COUNT(*) FROM mart.single_customer_view {clause} GROUP BY r_score, f_score", parameters
    ).fetchall()
    return {(int(r), int(f)): (float(mean), int(n)) for r, f, mean, n in rows}


def customer_count(db, country: str | None = None, segment: str | None = None) -> int:
    clause, parameters = where(country, segment)
    return int(db.execute(f"SELECT COUNT(*) FROM mart.single_customer_view {clause}", parameters).fetchone()[0])


def assert_rf_matrix(means, counts, reference) -> None:
    """A 5 x 5 matrix (rows R 1-5, columns F 1-5) against the reference cells."""
    for r in range(1, 6):
        for f in range(1, 6):
            mean, n = reference.get((r, f), (None, 0))
            assert counts is None or counts[r - 1][f - 1] == n, (r, f)
            if mean is None:
                assert means[r - 1][f - 1] is None, (r, f)
            else:
                assert means[r - 1][f - 1] == pytest.approx(mean, rel=1e-9), (r, f)


# --- the file --------------------------------------------------------------------------------


class Links(HTMLParser):
    """Every tag and every attribute that could load something."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.sources += [value or "" for name, value in attrs if name in ("src", "href", "srcset", "data", "action", "poster")]


def test_the_page_is_one_self_contained_file(html):
    links = Links()
    links.feed(html)
    assert [source for source in links.sources if re.match(r"\s*(https?:)?//", source, re.I)] == []
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*[\"']?\s*(https?:)?//", html, re.I)
    assert {"link", "img", "iframe", "object", "embed"}.isdisjoint(links.tags)
    assert links.tags.count("script") == 3  # the data, plotly.js, the page's script: all inline
    assert re.search(r"plotly\.js v\d+\.\d+", html), "plotly.js is inlined"
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    assert "url(" not in style and "@import" not in style


def test_every_takeaway_sentence_is_on_the_page(html, real_data):
    for topic, sentence in takeaways(real_data).as_dict().items():
        assert escape(sentence) in html, topic


def test_the_embedded_numbers_are_the_warehouse_numbers(embedded, db):
    summary = embedded["summary"]
    assert {row["segment"]: row["customers"] for row in summary["segments"]} == segment_counts(db)
    assert_rf_matrix(summary["rf_mean_monetary"], summary["rf_customers"], rf_means(db))
    heatmap = embedded["figures"]["chart-rf"]["data"][0]
    assert_rf_matrix(heatmap["customdata"], None, rf_means(db))
    customers = embedded["customers"]
    assert len(customers["id"]) == customer_count(db)
    for country in embedded["countries"][:5]:
        index = embedded["countries"].index(country)
        assert customers["country"].count(index) == customer_count(db, country), country
    bars = {trace["name"]: trace for trace in embedded["figures"]["chart-segments"]["data"]}
    counts = segment_counts(db)
    total = sum(counts.values())
    shares = dict(zip(bars["Share of customers"]["y"], bars["Share of customers"]["x"], strict=True))
    assert shares == pytest.approx({segment: 100 * n / total for segment, n in counts.items()})


def test_the_rules_are_plotted_support_against_confidence_coloured_by_lift(embedded, db):
    rules = db.sql("SELECT support, confidence, lift FROM mart.product_association ORDER BY rule_rank").df().astype(float)
    scatter = embedded["figures"]["chart-rules"]["data"][0]
    assert scatter["x"] == pytest.approx(rules["support"].tolist())
    assert scatter["y"] == pytest.approx(rules["confidence"].tolist())
    assert scatter["marker"]["color"] == pytest.approx(rules["lift"].tolist())


def test_the_cohort_heatmap_flags_the_first_cohort_and_the_partial_month(embedded, db):
    cohorts = db.sql("SELECT cohort_month, month_index, cohort_size, retention_rate FROM mart.cohort_retention").df()
    last_day = db.execute("SELECT MAX(d.calendar_date) FROM dw.fact_sales AS f JOIN dw.dim_date AS d ON d.date_key = f.date_key").fetchone()[0]
    last_month = pd.Timestamp(last_day).to_period("M")
    assert pd.Timestamp(last_day).day < pd.Timestamp(last_day).days_in_month, "the real data stops on 9 December 2011"
    sizes, rates, partial = embedded["figures"]["chart-cohorts"]["data"]
    first = pd.Timestamp(cohorts["cohort_month"].min())
    assert rates["y"][0] == f"{first.strftime('%b %Y')} (already active)"
    assert all(row[0] is None for row in rates["z"]), "month 0 (100% by definition) is not on the colour scale"
    assert rates["zmax"] == pytest.approx(float(cohorts.loc[cohorts["month_index"] > 0, "retention_rate"].max()))
    months = sorted(pd.to_datetime(cohorts["cohort_month"]).unique())
    for cell in cohorts.itertuples():
        row, column = months.index(pd.Timestamp(cell.cohort_month)), int(cell.month_index)
        in_partial = (pd.Timestamp(cell.cohort_month).to_period("M") + column) == last_month
        if column == 0:
            assert sizes["text"][row][column] == f"{int(cell.cohort_size):,}"
        elif in_partial:
            assert partial["z"][row][column] == pytest.approx(float(cell.retention_rate))
            assert partial["text"][row][column].endswith("*") and rates["z"][row][column] is None
        else:
            assert rates["z"][row][column] == pytest.approx(float(cell.retention_rate))


def test_without_analytics_the_page_says_what_is_missing(thin_page):
    html = thin_page.read_text(encoding="utf-8")
    assert "The analytics have not run on this data yet, so there are no churn risk scores." in html
    assert "The analytics have not run on this data yet, so there are no product association rules." in html
    assert "Whether Champions really are the most valuable customers is not tested yet" in html
    assert "Only a partial month of sales is loaded." in html
    data = embedded_data(html)
    assert {"chart-churn", "chart-rules", "chart-validation"}.isdisjoint(data["figures"])
    assert {"chart-rf", "chart-segments", "chart-distributions", "chart-cohorts", "chart-monthly"} <= set(data["figures"])
    assert len(data["customers"]["id"]) == 4 and data["hasAnalytics"] is False


def test_an_empty_warehouse_gives_a_page_saying_no_data_was_loaded(empty_page):
    html = empty_page.read_text(encoding="utf-8")
    assert "No data loaded" in html
    assert "No data has been loaded into the warehouse yet" in html
    assert "<script" not in html  # nothing to draw


# --- in the browser --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.skip(NO_CHROMIUM)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclasses.dataclass
class Opened:
    page: object
    errors: list[str]
    requests: list[str]


def open_page(browser, path: Path, charts: int = 0) -> Opened:
    """The page in a new tab: console errors and page errors collected, any request that is not
    the file itself recorded (and refused), and waited until `charts` plotly charts are drawn."""
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    opened = Opened(tab, [], [])
    tab.on("console", lambda message: opened.errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: opened.errors.append(str(error)))
    tab.on("request", lambda request: None if request.url == path.as_uri() else opened.requests.append(request.url))
    tab.route(re.compile(r"^(https?|wss?|ftp)://"), lambda route: route.abort())
    tab.goto(path.as_uri())
    if charts:
        tab.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}")
    return opened


def shown_segment_counts(tab) -> dict[str, int]:
    rows = tab.eval_on_selector_all("#segment-table tbody tr", "rows => rows.map(row => [row.dataset.segment, row.children[1].textContent])")
    return {segment: int(text.replace(",", "")) for segment, text in rows if int(text.replace(",", ""))}


def shown_rf(tab) -> tuple[list, list]:
    heatmap = tab.evaluate("() => { const t = document.getElementById('chart-rf').data[0]; return [t.customdata, t.text]; }")
    means, texts = heatmap
    counts = [[int(text.split("n=")[1].replace(",", "")) if text else 0 for text in row] for row in texts]
    return means, counts


def choose(tab, select: str, label: str) -> None:
    before = tab.text_content("#filter-summary")
    tab.select_option(select, label=label)
    tab.wait_for_function(f"document.getElementById('filter-summary').textContent !== {json.dumps(before)}")


def test_the_page_renders_without_errors_and_is_not_blank(browser, page, embedded):
    from PIL import Image

    opened = open_page(browser, page, charts=len(embedded["figures"]))
    try:
        for chart in embedded["figures"]:
            assert opened.page.locator(f"#{chart} .main-svg").count() >= 1, chart
        png = opened.page.screenshot(full_page=True)
        image = Image.open(io.BytesIO(png)).convert("RGB")
        colours = image.getcolors(maxcolors=1 << 24)
        assert len(colours) > 1_000, "a drawn page has many distinct colours"
        assert max(n for n, _ in colours) < 0.9 * image.width * image.height, "the page is not one flat colour"
        assert opened.errors == []
        assert opened.requests == []
    finally:
        opened.page.close()


def test_choosing_a_country_and_a_segment_shows_their_numbers(browser, page, embedded, db):
    country = embedded["countries"][1]  # the second largest country (the first is the United Kingdom)
    opened = open_page(browser, page, charts=len(embedded["figures"]))
    tab = opened.page
    try:
        assert shown_segment_counts(tab) == segment_counts(db)
        choose(tab, "#filter-country", country)
        assert shown_segment_counts(tab) == segment_counts(db, country) != segment_counts(db)
        assert int(tab.text_content("#kpi-customers").replace(",", "")) == customer_count(db, country)
        means, counts = shown_rf(tab)
        assert_rf_matrix(means, counts, rf_means(db, country))
        assert country in tab.text_content("#rfm .scope")

        choose(tab, "#filter-segment", "Champions")
        champions = customer_count(db, country, "Champions")
        assert int(tab.text_content("#kpi-customers").replace(",", "")) == champions
        means, counts = shown_rf(tab)
        assert_rf_matrix(means, counts, rf_means(db, country, "Champions"))
        histograms = tab.evaluate("() => document.getElementById('chart-distributions').data.map(t => t.x.length)")
        assert histograms[:2] == [champions, champions]
        assert tab.text_content("#segment-table tr.selected th") == "Champions"

        tab.click("#filter-reset")
        assert shown_segment_counts(tab) == segment_counts(db)
        means, counts = shown_rf(tab)
        assert_rf_matrix(means, counts, rf_means(db))
        assert opened.errors == [] and opened.requests == []
    finally:
        tab.close()


def test_the_thin_and_the_empty_pages_render_without_errors(browser, thin_page, empty_page):
    data = embedded_data(thin_page.read_text(encoding="utf-8"))
    opened = open_page(browser, thin_page, charts=len(data["figures"]))
    try:
        choose(opened.page, "#filter-country", data["countries"][-1])
        assert opened.page.text_content("#kpi-analytics") == "n/a"
        assert opened.errors == [] and opened.requests == []
    finally:
        opened.page.close()
    opened = open_page(browser, empty_page)
    try:
        assert "No data has been loaded" in opened.page.text_content("#no-data")
        assert opened.errors == [] and opened.requests == []
    finally:
        opened.page.close()
