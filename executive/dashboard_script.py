"""The dashboard page's own style and script, inlined into the HTML next to plotly.js.

The script draws the figures embedded as JSON, then on every change of the country or segment
filter recomputes, from the embedded customer rows, what `dashboard.py` and
`dashboard_figures.py` computed for every customer: the segment table and bars (for the chosen
country, the chosen segment highlighted), the R x F mean monetary heatmap, the recency /
frequency / monetary histograms, the churn scatter and the selection's KPI cards. It makes no
request: everything it reads is in the page.
"""

STYLE = """
:root { --ink: #1d2b36; --muted: #5b6b78; --line: #dde3e8; --blue: #1f5f8b; --paper: #f6f8fa; --warn: #8a5a00; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--paper); line-height: 1.45; }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 24px; }
h1 { margin: 0 0 4px; font-size: 28px; }
h2 { margin: 0 0 6px; font-size: 21px; }
.period { color: var(--muted); margin: 0 0 12px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 18px 20px; margin: 16px 0; }
.takeaway { font-size: 16px; margin: 4px 0 12px; max-width: 75em; }
.note { color: var(--warn); font-size: 14px; margin: 6px 0; }
.scope { display: inline-block; font-size: 12px; color: var(--muted); border: 1px solid var(--line); border-radius: 10px;
  padding: 1px 8px; margin-left: 8px; vertical-align: middle; font-weight: normal; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; }
.kpi { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: #fff; }
.kpi .label { font-size: 13px; color: var(--muted); }
.kpi .value { font-size: 24px; font-weight: 600; }
.kpi .sub { font-size: 12px; color: var(--muted); }
.filters { position: sticky; top: 0; z-index: 10; background: var(--ink); color: #fff; border-radius: 8px; padding: 10px 16px; margin: 16px 0;
  display: flex; flex-wrap: wrap; gap: 16px; align-items: center; }
.filters label { font-size: 14px; }
.filters select { font-size: 14px; padding: 3px 6px; margin-left: 6px; }
.filters button { font-size: 13px; padding: 3px 10px; }
#filter-summary { font-size: 14px; opacity: 0.9; }
.filters .hint { font-size: 12px; opacity: 0.75; flex-basis: 100%; }
.lead { font-weight: 600; }
.explain { color: var(--muted); margin: 4px 0 10px; }
.missing { border-left: 4px solid var(--warn); background: #fff8e6; padding: 10px 14px; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin-top: 10px; }
th, td { text-align: right; padding: 5px 10px; border-bottom: 1px solid var(--line); }
th:first-child, td:first-child, .text { text-align: left; }
thead th { color: var(--muted); font-weight: 600; }
tr.selected { background: #e8f1f8; font-weight: 600; }
tfoot td, tfoot th { font-weight: 600; border-top: 2px solid var(--line); }
footer { color: var(--muted); font-size: 12px; padding-bottom: 30px; }
"""

SCRIPT = """
(function () {
  "use strict";
  var P = JSON.parse(document.getElementById("cip-data").textContent);
  var CONFIG = {displaylogo: false, responsive: true};
  Object.keys(P.figures).forEach(function (id) {
    var element = document.getElementById(id);
    if (!element) return;
    // responsive charts take the height of their box when the window resizes: give the box the figure's height
    if (P.figures[id].layout.height) element.style.height = P.figures[id].layout.height + "px";
    Plotly.newPlot(element, P.figures[id].data, P.figures[id].layout, CONFIG);
  });
  var country = document.getElementById("filter-country"), segment = document.getElementById("filter-segment");
  var C = P.customers;
  if (!country || !segment || !C) return;
  var N = C.segment.length, S = P.segments.length;
  var whole = new Intl.NumberFormat("en-GB", {maximumFractionDigits: 0});

  function money(value) { return (value < 0 ? "-" : "") + "\\u00a3" + whole.format(Math.abs(value)); }
  function share(part, total) { return total ? part / total : 0; }
  function percent(rate) { return (100 * rate).toFixed(1) + "%"; }
  function set(id, text) { var element = document.getElementById(id); if (element) element.textContent = text; }
  function zeros(n) { var out = []; for (var k = 0; k < n; k++) out.push(0); return out; }
  function pick(ci, si) {
    var rows = [];
    for (var i = 0; i < N; i++) if ((ci < 0 || C.country[i] === ci) && (si < 0 || C.segment[i] === si)) rows.push(i);
    return rows;
  }
  function redraw(id, change) {
    var element = document.getElementById(id);
    if (!element || !element.data) return;
    var data = element.data.map(function (trace, k) { return Object.assign({}, trace, change(k, trace)); });
    Plotly.react(element, data, element.layout, CONFIG);
  }

  function segments(ci, si) {
    var counts = zeros(S), values = zeros(S), total = 0, value = 0;
    for (var i = 0; i < N; i++) if (ci < 0 || C.country[i] === ci) { counts[C.segment[i]] += 1; values[C.segment[i]] += C.net[i]; }
    counts.forEach(function (n, k) { total += n; value += values[k]; });
    var customers = counts.map(function (n) { return 100 * share(n, total); });
    var revenue = values.map(function (v) { return 100 * share(v, value); });
    var custom = counts.map(function (n, k) { return [n, values[k]]; });
    var opacity = counts.map(function (n, k) { return si < 0 || si === k ? 1 : 0.3; });
    redraw("chart-segments", function (k, trace) {
      return {x: k === 0 ? customers : revenue, customdata: custom, marker: Object.assign({}, trace.marker, {opacity: opacity})};
    });
    var body = document.querySelector("#segment-table tbody");
    if (body) {
      body.innerHTML = "";
      P.segments.forEach(function (name, k) {
        var row = document.createElement("tr");
        row.dataset.segment = name;
        if (si === k) row.className = "selected";
        var cells = [name, whole.format(counts[k]), percent(share(counts[k], total)), money(values[k]), percent(share(values[k], value))];
        cells.forEach(function (text, c) {
          var cell = document.createElement(c === 0 ? "th" : "td");
          cell.textContent = text;
          row.appendChild(cell);
        });
        body.appendChild(row);
      });
    }
    set("segment-total-customers", whole.format(total));
    set("segment-total-revenue", money(value));
  }

  function rf(rows) {
    var sums = [], counts = [];
    for (var r = 0; r < 5; r++) { sums.push(zeros(5)); counts.push(zeros(5)); }
    rows.forEach(function (i) {
      if (!C.r[i] || !C.f[i]) return;
      sums[C.r[i] - 1][C.f[i] - 1] += C.monetary[i]; counts[C.r[i] - 1][C.f[i] - 1] += 1;
    });
    var means = sums.map(function (row, r) { return row.map(function (sum, f) { return counts[r][f] ? sum / counts[r][f] : null; }); });
    redraw("chart-rf", function () {
      return {
        customdata: means,
        z: means.map(function (row) { return row.map(function (m) { return m !== null && m > 0 ? Math.log10(m) : null; }); }),
        text: means.map(function (row, r) {
          return row.map(function (m, f) { return counts[r][f] ? money(m) + "<br>n=" + whole.format(counts[r][f]) : ""; });
        })
      };
    });
  }

  function distributions(rows) {
    var recency = [], frequency = [], monetary = [];
    rows.forEach(function (i) {
      recency.push(C.recency[i]);
      frequency.push(Math.min(C.frequency[i], P.frequencyCap));
      if (C.monetary[i] > 0) monetary.push(Math.log10(C.monetary[i]));
    });
    redraw("chart-distributions", function (k) { return {x: [recency, frequency, monetary][k]}; });
  }

  function churn(rows) {
    var traces = [{x: [], y: [], customdata: []}, {x: [], y: [], customdata: []}], hidden = 0;
    rows.forEach(function (i) {
      if (C.churn[i] === null) return;
      if (!(C.net[i] > 0)) { hidden += 1; return; }
      var trace = traces[C.whale[i] ? 1 : 0];
      trace.x.push(Math.log10(C.net[i]));
      trace.y.push(C.churn[i]);
      trace.customdata.push([C.id[i], P.segments[C.segment[i]], P.countries[C.country[i]], C.net[i]]);
    });
    redraw("chart-churn", function (k) { return traces[k]; });
    set("churn-hidden", whole.format(hidden));
  }

  function cards(rows) {
    var net = 0, monetary = 0, whales = 0, whaleNet = 0, high = 0, highNet = 0;
    rows.forEach(function (i) {
      net += C.net[i];
      monetary += C.monetary[i];
      if (C.whale[i]) { whales += 1; whaleNet += C.net[i]; }
      if (C.high[i]) { high += 1; highNet += C.net[i]; }
    });
    set("kpi-customers", whole.format(rows.length));
    set("kpi-net-revenue", money(net));
    set("kpi-mean-monetary", rows.length ? money(monetary / rows.length) : "n/a");
    if (P.hasAnalytics) {
      set("kpi-whales", whole.format(whales));
      set("kpi-whales-sub", "hold " + percent(share(whaleNet, net)) + " of this net revenue");
      set("kpi-high-risk", whole.format(high));
      set("kpi-high-risk-sub", money(highNet) + " net revenue at risk");
    }
  }

  function update() {
    var ci = Number(country.value), si = Number(segment.value);
    var scope = (ci < 0 ? "All countries" : P.countries[ci]) + " \\u00b7 " + (si < 0 ? "all segments" : P.segments[si]);
    var rows = pick(ci, si);
    segments(ci, si);
    rf(rows);
    distributions(rows);
    if (P.hasAnalytics) churn(rows);
    cards(rows);
    document.querySelectorAll(".scope.filtered").forEach(function (element) { element.textContent = scope; });
    var summary = "Showing " + whole.format(rows.length) + " of " + whole.format(N) + " customers";
    set("filter-summary", rows.length ? summary : "No customer matches this choice");
  }

  country.addEventListener("change", update);
  segment.addEventListener("change", update);
  document.getElementById("filter-reset").addEventListener("click", function () { country.value = "-1"; segment.value = "-1"; update(); });
})();
"""
