"""The PBIR report in powerbi/ and its offline validation (powerbi/validate/: schemas.py, report.py,
fields.py, json_files.py).

The real project must validate with zero problems against Microsoft's JSON schemas (the vendored
copy, setting CIP_POWERBI_SCHEMA_DIR) and against the semantic model; each check is then shown to fire
on a deliberately broken copy of the project in tmp_path. Schemas are parsed and compiled once
for the module (the `store` fixture).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from core.paths import POWERBI_PROJECT
from core.settings import load_settings
from powerbi.validate import Problem, validate
from powerbi.validate.fields import FieldRef, distinct_fields, document_fields, report_fields
from powerbi.validate.json_files import project_files
from powerbi.validate.project import check_json_files
from powerbi.validate.schemas import SCHEMA_URL_PREFIX, SchemaNotFound, SchemaStore
from powerbi.validate.tmdl import read_model
from tests.powerbi.contract import REQUIRED_MEASURES

REPORT = POWERBI_PROJECT / "CustomerIntelligence.Report"
MODEL = POWERBI_PROJECT / "CustomerIntelligence.SemanticModel"
PAGES = REPORT / "definition" / "pages"
PAGES_JSON = "CustomerIntelligence.Report/definition/pages/pages.json"
REQUIRED_PAGES = {
    "Executive Overview",
    "RFM Segments",
    "Cohort Retention",
    "Product Association",
    "Churn Risk and Whales",
    "Customer 360",
}


# -- fixtures ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def schema_dir() -> Path:
    return load_settings().powerbi_schema_dir


@pytest.fixture(scope="module")
def store(schema_dir) -> SchemaStore:
    return SchemaStore(schema_dir)


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the PBIP project (no Python files) to break."""
    target = tmp_path / "powerbi"
    shutil.copytree(POWERBI_PROJECT, target, ignore=shutil.ignore_patterns("*.py", "__pycache__", ".pbi"))
    return target


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def save(path: Path, document: dict) -> None:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")


def where(problems: list[Problem]) -> list[tuple[str, str, str]]:
    return [(p.file, p.path, p.check) for p in problems]


def visual_path(project: Path, page: str, visual: str) -> Path:
    return project / "CustomerIntelligence.Report" / "definition" / "pages" / page / "visuals" / visual / "visual.json"


def rel(page: str, visual: str | None = None) -> str:
    base = f"CustomerIntelligence.Report/definition/pages/{page}"
    return f"{base}/visuals/{visual}/visual.json" if visual else f"{base}/page.json"


# -- the real project ----------------------------------------------------------------------------------
def test_the_project_validates_with_zero_problems(store):
    problems = check_json_files(POWERBI_PROJECT, store)
    assert problems == [], "\n".join(map(str, problems))


def test_every_report_file_names_the_newest_schema_version(store):
    def version(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split("."))

    files = [p for p in project_files(POWERBI_PROJECT) if REPORT in p.parents or p.suffix == ".pbip"]
    assert len(files) > 40
    for path in files:
        url = load(path)["$schema"]
        local = store.local_path(url)
        assert local is not None and local.is_file(), url
        family = local.parent.parent
        newest = max((d.name for d in family.iterdir() if d.is_dir()), key=version)
        assert local.parent.name == newest, f"{path.relative_to(POWERBI_PROJECT)} uses {url}; newest is {newest}"


def test_the_six_pages_exist_in_order_with_customer_360_as_drill_through():
    pages_json = load(PAGES / "pages.json")
    display = {name: load(PAGES / name / "page.json")["displayName"] for name in pages_json["pageOrder"]}
    assert REQUIRED_PAGES <= set(display.values())
    assert display[pages_json["activePageName"]] == "Executive Overview"

    customer_360 = next(load(PAGES / n / "page.json") for n, d in display.items() if d == "Customer 360")
    customer_id = {"Column": {"Expression": {"SourceRef": {"Entity": "Customer"}}, "Property": "Customer ID"}}
    binding = customer_360["pageBinding"]
    assert binding["type"] == "Drillthrough" and customer_360["type"] == "Drillthrough"
    [parameter] = binding["parameters"]
    assert parameter["fieldExpr"] == customer_id
    [drill_filter] = [f for f in customer_360["filterConfig"]["filters"] if f["name"] == parameter["boundFilter"]]
    assert drill_filter["field"] == customer_id and drill_filter["howCreated"] == "Drillthrough"

    # a customer row elsewhere in the report is where the drill-through starts
    sources = [
        r
        for r in report_fields(REPORT)
        if r.key == ("Customer", "Customer ID", "column") and "/Customer360/" not in r.file.as_posix() and ".queryState." in r.json_path
    ]
    assert sources


def test_pages_carry_the_required_visuals():
    def visuals(page: str) -> dict[str, dict]:
        return {p.parent.name: load(p) for p in (PAGES / page / "visuals").glob("*/visual.json")}

    def card_measures(page: str) -> set[str]:
        return {
            v["visual"]["query"]["queryState"]["Values"]["projections"][0]["field"]["Measure"]["Property"]
            for v in visuals(page).values()
            if v["visual"]["visualType"] == "card"
        }

    assert card_measures("ExecutiveOverview") == {"Revenue", "Net Revenue", "Orders", "Customers", "Average Order Value", "Return Rate"}
    assert {"Retention Month 1", "Retention Month 3"} <= card_measures("CohortRetention")
    assert {"Rule Count", "Top Lift"} <= card_measures("ProductAssociation")
    assert {"Revenue at Risk", "Whale Share", "Whale Customers"} <= card_measures("ChurnRiskWhales")

    heatmap = visuals("CohortRetention")["retentionHeatmap"]["visual"]
    assert heatmap["visualType"] == "pivotTable"
    assert set(heatmap["query"]["queryState"]) == {"Rows", "Columns", "Values"}
    fill_rule = heatmap["objects"]["values"][0]["properties"]["backColor"]["solid"]["color"]["expr"]["FillRule"]
    assert fill_rule["Input"] == heatmap["query"]["queryState"]["Values"]["projections"][0]["field"]

    rules = visuals("ProductAssociation")["associationRules"]["visual"]["query"]
    assert rules["sortDefinition"]["sort"] == [
        {"field": {"Column": {"Expression": {"SourceRef": {"Entity": "Product Association"}}, "Property": "Lift"}}, "direction": "Descending"}
    ]
    assert {v["visual"]["visualType"] for v in visuals("RfmSegments").values()} >= {"slicer", "pivotTable", "tableEx"}


def test_the_report_uses_only_contract_measures_and_existing_columns():
    model = read_model(MODEL)
    for entity, prop, kind in distinct_fields(report_fields(REPORT)):
        table = model.tables[entity]
        if kind == "measure":
            assert prop in REQUIRED_MEASURES.get(entity, set()), f"{entity}[{prop}] is not a contract measure"
        else:
            assert kind == "column" and prop in table.columns, f"{entity}[{prop}]"


# -- field extraction ---------------------------------------------------------------------------------
def test_fields_of_the_top_products_visual_by_hand():
    path = PAGES / "ExecutiveOverview" / "visuals" / "topProducts" / "visual.json"
    refs = document_fields(load(path), "topProducts/visual.json")
    assert [(r.entity, r.property, r.kind, r.json_path) for r in refs] == [
        ("Product", "Stock Code", "column", "$.visual.query.queryState.Values.projections[0].field.Column"),
        ("Product", "Description", "column", "$.visual.query.queryState.Values.projections[1].field.Column"),
        ("Sales", "Revenue", "measure", "$.visual.query.queryState.Values.projections[2].field.Measure"),
        ("Sales", "Units", "measure", "$.visual.query.queryState.Values.projections[3].field.Measure"),
        ("Sales", "Orders", "measure", "$.visual.query.queryState.Values.projections[4].field.Measure"),
        ("Sales", "Customers", "measure", "$.visual.query.queryState.Values.projections[5].field.Measure"),
        ("Sales", "Revenue", "measure", "$.visual.query.sortDefinition.sort[0].field.Measure"),
        # the Top 10 filter: its field, then the aliases p and s of the subquery and of the outer From
        ("Product", "Description", "column", "$.filterConfig.filters[0].field.Column"),
        ("Product", "Description", "column", "$.filterConfig.filters[0].filter.From[0].Expression.Subquery.Query.Select[0].Column"),
        ("Sales", "Revenue", "measure", "$.filterConfig.filters[0].filter.From[0].Expression.Subquery.Query.OrderBy[0].Expression.Measure"),
        ("Product", "Description", "column", "$.filterConfig.filters[0].filter.Where[0].Condition.In.Expressions[0].Column"),
    ]
    assert all(r.file == Path("topProducts/visual.json") for r in refs)


def test_fields_through_aggregations_hierarchies_variations_and_aliases():
    def source(alias):
        return {"SourceRef": {"Source": alias}}

    document = {
        "Values": [
            {
                "Aggregation": {
                    "Expression": {"Column": {"Expression": {"SourceRef": {"Entity": "Cohort Retention"}}, "Property": "Retention Rate"}},
                    "Function": 1,
                }
            },
            {
                "HierarchyLevel": {
                    "Expression": {"Hierarchy": {"Expression": {"SourceRef": {"Entity": "Date"}}, "Hierarchy": "Calendar"}},
                    "Level": "Year",
                }
            },
            {
                "Column": {
                    "Expression": {
                        "PropertyVariationSource": {"Expression": {"SourceRef": {"Entity": "Sales"}}, "Name": "Variation", "Property": "Invoice Date"}
                    },
                    "Property": "Year",
                }
            },
        ],
        "filter": {
            "From": [{"Name": "c", "Entity": "Customer", "Type": 0}],
            "Where": [
                {
                    "Condition": {
                        "In": {
                            "Expressions": [
                                {"Column": {"Expression": source("c"), "Property": "Segment"}},
                                {"Measure": {"Expression": source("x"), "Property": "Ghost"}},
                            ],
                            "Table": {"SourceRef": {"Source": "c"}},
                        }
                    }
                }
            ],
        },
    }
    assert [(r.entity, r.property, r.kind, r.level) for r in document_fields(document)] == [
        ("Cohort Retention", "Retention Rate", "column", None),
        ("Date", "Calendar", "hierarchy", "Year"),
        ("Sales", "Invoice Date", "column", None),  # the date column behind an automatic date hierarchy
        ("Customer", "Segment", "column", None),
        (None, "Ghost", "measure", None),  # alias x is declared nowhere
    ]


def test_report_fields_lists_every_page_and_visual_file():
    refs = report_fields(REPORT)
    files = {r.file.as_posix() for r in refs}
    assert "definition/pages/Customer360/page.json" in files
    assert len({f.split("/")[2] for f in files if f.startswith("definition/pages/")}) == 6
    assert all(isinstance(r, FieldRef) and r.entity for r in refs)


# -- each check fires on a broken copy ------------------------------------------------------------------
def test_a_visual_with_a_wrong_property_type(project, store):
    path = visual_path(project, "ExecutiveOverview", "cardRevenue")
    document = load(path)
    document["position"]["height"] = "tall"
    document["visual"]["query"]["queryState"]["Values"]["projections"][0]["queryRef"] = 7
    save(path, document)
    problems = check_json_files(project, store)
    assert where(problems) == [
        (rel("ExecutiveOverview", "cardRevenue"), "$.position.height", "schema"),
        (rel("ExecutiveOverview", "cardRevenue"), "$.visual.query.queryState.Values.projections[0].queryRef", "schema"),
    ]
    assert "'tall' is not of type 'number'" in problems[0].message


def test_an_enum_outside_the_schema(project, store):
    path = visual_path(project, "ProductAssociation", "associationRules")
    document = load(path)
    document["visual"]["query"]["sortDefinition"]["sort"][0]["direction"] = "Down"
    save(path, document)
    [problem] = check_json_files(project, store)
    assert problem.path == "$.visual.query.sortDefinition.sort[0].direction"
    assert problem.message == '"Down" is not one of "Ascending", "Descending"'


def test_a_file_without_schema(project, store):
    path = project / "CustomerIntelligence.Report" / "definition" / "version.json"
    document = load(path)
    del document["$schema"]
    save(path, document)
    [problem] = check_json_files(project, store)
    assert (problem.file, problem.path) == ("CustomerIntelligence.Report/definition/version.json", "$")
    assert "no $schema" in problem.message


def test_a_schema_that_is_not_available_offline(project, store, schema_dir):
    path = project / "CustomerIntelligence.pbip"
    document = load(path)
    document["$schema"] = SCHEMA_URL_PREFIX + "fabric/pbip/pbipProperties/9.9.9/schema.json"
    save(path, document)
    [problem] = check_json_files(project, store)
    assert (problem.file, problem.path) == ("CustomerIntelligence.pbip", "$.$schema")
    assert document["$schema"] in problem.message
    assert str(schema_dir / "fabric/pbip/pbipProperties/9.9.9/schema.json") in problem.message


def test_a_missing_referenced_schema_names_its_url_and_local_path(project, schema_dir, tmp_path):
    partial = tmp_path / "schemas"
    shutil.copytree(schema_dir, partial, ignore=shutil.ignore_patterns("*.md", "LICENSE"))
    shutil.rmtree(partial / "fabric/item/report/definition/semanticQuery/1.4.0")
    problems = check_json_files(project, SchemaStore(partial))
    assert problems, "visuals refer to semanticQuery 1.4.0"
    missing = SCHEMA_URL_PREFIX + "fabric/item/report/definition/semanticQuery/1.4.0/schema.json"
    assert all(p.path == "$.$schema" and missing in p.message for p in problems)
    assert str(partial / "fabric/item/report/definition/semanticQuery/1.4.0/schema.json") in problems[0].message


def test_urls_off_the_schema_prefix_are_never_fetched(store):
    with pytest.raises(SchemaNotFound, match="only https://developer.microsoft.com/json-schemas/"):
        store.validator("https://example.com/schema.json")


def test_a_field_pointing_at_a_column_that_does_not_exist(project, store):
    path = visual_path(project, "ChurnRiskWhales", "highRiskHighValue")
    document = load(path)
    document["visual"]["query"]["queryState"]["Values"]["projections"][3]["field"]["Column"]["Property"] = "Lifetime Value"
    save(path, document)
    [problem] = check_json_files(project, store)
    assert where([problem]) == [
        (rel("ChurnRiskWhales", "highRiskHighValue"), "$.visual.query.queryState.Values.projections[3].field.Column", "field")
    ]
    assert problem.message == ("column Customer[Lifetime Value] does not exist in the semantic model CustomerIntelligence.SemanticModel")


def test_a_filter_on_a_table_that_does_not_exist_and_a_measure_used_as_column(project, store):
    path = visual_path(project, "ChurnRiskWhales", "highRiskHighValue")
    document = load(path)
    document["filterConfig"]["filters"][0]["filter"]["From"][0]["Entity"] = "Customers"
    document["visual"]["query"]["queryState"]["Values"]["projections"][0]["field"]["Column"]["Property"] = "Customer Count"
    save(path, document)
    problems = check_json_files(project, store)
    assert [(p.path, p.message) for p in problems] == [
        (
            "$.filterConfig.filters[0].filter.Where[0].Condition.In.Expressions[0].Column",
            "table 'Customers' is not in the semantic model CustomerIntelligence.SemanticModel",
        ),
        ("$.visual.query.queryState.Values.projections[0].field.Column", "Customer[Customer Count] is a measure of the model, used here as a column"),
    ]


def test_a_byte_order_mark(project, store):
    path = project / "CustomerIntelligence.Report" / "definition" / "report.json"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    problems = check_json_files(project, store)
    assert where(problems) == [("CustomerIntelligence.Report/definition/report.json", "$", "encoding")]


def test_a_page_missing_from_pages_json(project, store):
    path = project / PAGES_JSON
    document = load(path)
    document["pageOrder"].remove("ProductAssociation")
    save(path, document)
    [problem] = check_json_files(project, store)
    assert where([problem]) == [(PAGES_JSON, "$.pageOrder", "structure")]
    assert "'ProductAssociation' is missing from pageOrder" in problem.message


def test_pages_json_naming_pages_that_do_not_exist(project, store):
    path = project / PAGES_JSON
    document = load(path)
    document["pageOrder"].append("Forecast")
    document["activePageName"] = "Overview"
    save(path, document)
    assert where(check_json_files(project, store)) == [(PAGES_JSON, "$.activePageName", "structure"), (PAGES_JSON, "$.pageOrder[6]", "structure")]


def test_a_visual_outside_the_canvas(project, store):
    path = visual_path(project, "CohortRetention", "retentionCurve")
    document = load(path)
    document["position"]["x"] = 900  # 900 + 412 > 1280
    save(path, document)
    [problem] = check_json_files(project, store)
    assert where([problem]) == [(rel("CohortRetention", "retentionCurve"), "$.position", "layout")]
    assert problem.message == "ends outside the 1280x720 page: right edge 1312, bottom edge 704"


def test_a_visual_whose_name_differs_from_its_folder(project, store):
    path = visual_path(project, "RfmSegments", "segmentSlicer")
    document = load(path)
    document["name"] = "slicer1"
    save(path, document)
    assert where(check_json_files(project, store)) == [(rel("RfmSegments", "segmentSlicer"), "$.name", "structure")]


def test_a_drill_through_binding_to_a_filter_that_does_not_exist(project, store):
    path = project / rel("Customer360")
    document = load(path)
    document["pageBinding"]["parameters"][0]["boundFilter"] = "customerFilter"
    save(path, document)
    assert where(check_json_files(project, store)) == [(rel("Customer360"), "$.pageBinding.parameters[0].boundFilter", "structure")]


def test_a_report_bound_to_a_missing_semantic_model(project, store):
    shutil.rmtree(project / "CustomerIntelligence.SemanticModel")
    problems = check_json_files(project, store)
    assert where(problems) == [("CustomerIntelligence.Report/definition.pbir", "$.datasetReference.byPath.path", "structure")]


def test_no_schema_folder_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CIP_POWERBI_SCHEMA_DIR", str(tmp_path / "nowhere"))
    schema_dir = load_settings().powerbi_schema_dir
    assert schema_dir == tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match="CIP_POWERBI_SCHEMA_DIR"):
        validate(POWERBI_PROJECT, schema_dir)


REPORT_JSON = "CustomerIntelligence.Report/definition/report.json"


def test_a_theme_file_that_is_missing(project, store):
    (project / "CustomerIntelligence.Report" / "StaticResources" / "RegisteredResources" / "CustomerIntelligenceTheme.json").unlink()
    problems = check_json_files(project, store)
    assert where(problems) == [
        (REPORT_JSON, "$.resourcePackages[0].items[0]", "structure"),
        (REPORT_JSON, "$.themeCollection.customTheme", "structure"),
    ]
    assert "no file StaticResources/RegisteredResources/CustomerIntelligenceTheme.json" in problems[1].message


def test_a_base_theme_without_its_shipped_file(project, store):
    path = project / REPORT_JSON
    document = load(path)
    document["themeCollection"]["baseTheme"] = dict(document["themeCollection"]["customTheme"], name="CY24SU10", type="SharedResources")
    save(path, document)
    [problem] = check_json_files(project, store)
    assert where([problem]) == [(REPORT_JSON, "$.themeCollection.baseTheme", "structure")]
    assert "no file StaticResources/SharedResources/BaseThemes/CY24SU10.json" in problem.message
