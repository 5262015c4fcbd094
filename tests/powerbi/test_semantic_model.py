"""The Power BI semantic model (powerbi/CustomerIntelligence.SemanticModel, TMDL): the reader
(powerbi/validate/tmdl.py), the offline checks (powerbi/validate/model_checks.py, expressions.py)
on the real model and on broken copies of it, and the comparison with the deployed warehouse
catalog (powerbi/validate/catalog.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import warehouse
from powerbi.validate import expressions, model_checks
from powerbi.validate.catalog import compare_with_warehouse
from powerbi.validate.contract import LINEAGE_COLUMNS, column_name
from powerbi.validate.expressions import dax_references, dax_syntax_error, m_syntax_error
from powerbi.validate.model_checks import check_model
from powerbi.validate.problem import Problem
from powerbi.validate.tmdl import read_model
from powerbi.validate.tmdl_syntax import quote_name, split_qualified_name
from tests.powerbi.contract import REQUIRED_MEASURES
from tests.powerbi.edited_warehouse import deploy_edited_schema

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "powerbi" / "CustomerIntelligence.SemanticModel"
LOCATED = re.compile(r"^[\w ./'-]*\.(tmdl|pbism|json|platform):\d+: ")  # file:line: message
CHECKS_BY_NAME = {check.__name__: check for check in model_checks.CHECKS}


def printed(problems: list[Problem]) -> list[str]:
    """The problems as `cip powerbi validate` prints them."""
    return [str(problem) for problem in problems]


TABLES = {
    "Sales": ("dw", "fact_sales"),
    "Returns": ("dw", "fact_returns"),
    "Customer": ("mart", "single_customer_view"),
    "Product": ("dw", "dim_product"),
    "Date": ("dw", "dim_date"),
    "Country": ("dw", "dim_country"),
    "Cohort Retention": ("mart", "cohort_retention"),
    "Product Association": ("mart", "product_association"),
    "Segment Validation": ("mart", "segment_validation"),
    "Churn Model Evaluation": ("mart", "churn_model_evaluation"),
    "User Access": ("sec", "user_country_access"),
}


# -- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine():
    """The warehouse exactly as the pipeline deploys it."""
    with warehouse.connect("duckdb:///:memory:") as engine:
        engine.deploy()
        yield engine


@pytest.fixture(scope="module")
def model():
    return read_model(MODEL)


@pytest.fixture
def copy(tmp_path):
    """A copy of the model to break, and an edit helper that insists the text is there."""
    target = tmp_path / "CustomerIntelligence.SemanticModel"
    shutil.copytree(MODEL, target)

    def edit(relative: str, old: str, new: str) -> None:
        path = target / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return target, edit


# -- the reader on the real model ------------------------------------------------------------------
def test_reader_reads_the_tables_their_sources_and_counts(model):
    assert model.problems == []
    assert set(model.tables) == set(TABLES)
    assert [ref.name for ref in model.refs_of("table")] == list(TABLES)
    assert model.compatibility_level == 1567
    for name, source in TABLES.items():
        (partition,) = model.tables[name].partitions
        assert partition.source_type == "m" and partition.mode == "import"
        assert partition.source_object == source
        assert partition.sql_database_arguments == ("SqlServer", "SqlDatabase")
    assert {name: len(table.columns) for name, table in model.tables.items()} == {
        "Sales": 9,
        "Returns": 9,
        "Customer": 23,
        "Product": 3,
        "Date": 12,
        "Country": 4,
        "Cohort Retention": 7,
        "Product Association": 23,
        "Segment Validation": 22,
        "Churn Model Evaluation": 10,
        "User Access": 4,
    }
    assert len(model.relationships) == 8
    assert set(model.roles) == {"Country Access", "Global Viewer"}
    assert set(model.expressions) == {"SqlServer", "SqlDatabase"}
    assert all(expression.is_parameter for expression in model.expressions.values())


def test_reader_reads_columns_measures_and_the_date_table(model):
    date = model.tables["Date"]
    assert date.data_category == "Time"
    assert [c.name for c in date.columns.values() if c.is_key] == ["Calendar Date"]
    assert date.columns["Calendar Date"].data_type == "dateTime"
    assert date.columns["Month Name"].sort_by_column == "Calendar Month"
    assert date.columns["Date Key"].is_hidden and date.columns["Date Key"].summarize_by == "none"

    customer = model.tables["Customer"]
    assert customer.columns["Customer ID"].source_column == "customer_id"
    assert customer.columns["RFM Code"].source_column == "rfm_code"
    assert customer.columns["Net Revenue"].data_type == "decimal"
    assert customer.columns["Churn Probability"].data_type == "double"
    assert customer.columns["Is Whale"].data_type == "boolean"
    assert customer.columns["First Purchase At"].data_type == "dateTime"
    assert model.tables["User Access"].is_hidden
    assert model.tables["Segment Validation"].columns["P Value Holm"].source_column == "p_value_holm"

    sales = model.tables["Sales"]
    assert sales.measures["Orders"].expression == "DISTINCTCOUNT('Sales'[Invoice No])"
    assert sales.measures["Revenue"].format_string == "£#,##0.00"
    assert sales.measures["Revenue"].display_folder == "Sales"
    assert str(sales.measures["Orders"].location) == "definition/tables/Sales.tmdl:10"
    whale_share = customer.measures["Whale Share"]
    assert whale_share.expression.splitlines() == [
        "VAR WhaleNetRevenue = CALCULATE(SUM('Customer'[Net Revenue]), KEEPFILTERS('Customer'[Is Whale] = TRUE()))",
        "VAR AllNetRevenue = CALCULATE(SUM('Customer'[Net Revenue]), REMOVEFILTERS('Customer'[Is Whale]))",
        "RETURN",
        "    DIVIDE(WhaleNetRevenue, AllNetRevenue)",
    ]
    assert whale_share.expression_location.line == whale_share.location.line + 1
    for table, names in REQUIRED_MEASURES.items():
        assert names <= set(model.tables[table].measures), table
    assert model.tables["Returns"].measures["Returns Value"].expression == "-SUM('Returns'[Revenue])"
    assert '"high"' in customer.measures["Revenue at Risk"].expression  # the band values of analytics/churn.py


def test_reader_reads_relationships_and_roles(model):
    ends = {(r.from_table, r.from_column, r.to_table, r.to_column) for r in model.relationships}
    expected = set()
    for fact in ("Sales", "Returns"):
        expected |= {
            (fact, "Date Key", "Date", "Date Key"),
            (fact, "Customer ID", "Customer", "Customer ID"),
            (fact, "Stock Code", "Product", "Stock Code"),
            (fact, "Country Key", "Country", "Country Key"),
        }
    assert ends == expected
    assert all(r.is_active and "crossFilteringBehavior" not in r.properties for r in model.relationships)

    country_access = model.roles["Country Access"]
    assert country_access.model_permission == "read"
    assert set(country_access.table_permissions) == {"Country", "Customer", "User Access"}
    assert country_access.table_permissions["Country"].expression.splitlines()[-1] == (
        "Country[Country Key] IN CALCULATETABLE(VALUES('User Access'[Country Key]), 'User Access'[User Principal Name] = USERPRINCIPALNAME())"
    )
    assert country_access.table_permissions["User Access"].expression == "'User Access'[User Principal Name] = USERPRINCIPALNAME()"
    assert "company-wide" in country_access.description.lower()
    assert model.roles["Global Viewer"].table_permissions == {}
    assert all(role.members == [] for role in model.roles.values())


def test_reader_syntax_quotes_fences_descriptions_and_problems(tmp_path):
    tables = tmp_path / "definition" / "tables"
    tables.mkdir(parents=True)
    (tables / "Bob's Table.tmdl").write_text(
        "/// First line\n"
        "/// second line\n"
        "table 'Bob''s Table'\n"
        "\tisHidden: false\n"
        "\n"
        "\tmeasure 'It''s = big' = ```\n"
        "\t\t\tVAR x = 1\n"
        "\n"
        "\t\t\t    RETURN x\n"
        "\t\t```\n"
        '\t\tdisplayFolder: "My ""Quoted"" Folder"\n'
        "\n"
        "\tmeasure Plain =\n"
        "\t\t\t1 +\n"
        "\n"
        "\t\t\t\t2\n"
        "\n"
        "\t\tformatString: 0\n"
        "\n"
        "\tcolumn 'a.b:c'\n"
        "\t\tdataType: int64\n"
        "\t\tisHidden\n"
        "\t\tsourceColumn: a_b\n"
        "\n"
        "\tmeasure Continued = 1 +\n"
        "\t\t\t2\n"
        "\n"
        "    column Spaced\n"
        "\t\tdataType: string\n",
        encoding="utf-8",
    )
    (tmp_path / "definition" / "relationships.tmdl").write_text(
        "relationship r1\n\tfromColumn: 'Bob''s Table'.'a.b:c'\n\ttoColumn: Other.Key\n\n"
        "role R\n\tmodelPermission: read\n\tmember 'ann@contoso.com'\n\n"
        'expression P = ```\n    "x"\n    ```\n',
        encoding="utf-8",
    )
    model = read_model(tmp_path)
    table = model.tables["Bob's Table"]
    assert table.description == "First line\nsecond line"
    assert not table.is_hidden
    fenced = table.measures["It's = big"]
    assert fenced.expression == "\tVAR x = 1\n\n\t    RETURN x"  # verbatim: the closing fence sets the left edge
    assert fenced.display_folder == 'My "Quoted" Folder'
    assert table.measures["Plain"].expression == "1 +\n\n\t2"  # blank line kept, extra tab kept, trailing blanks dropped
    assert table.measures["Plain"].format_string == "0"
    column = table.columns["a.b:c"]
    assert column.is_hidden and column.data_type == "int64" and column.source_column == "a_b"
    assert table.measures["Continued"].expression == "1 +"
    assert "Spaced" in table.columns
    (relationship,) = model.relationships
    ends = (relationship.from_table, relationship.from_column, relationship.to_table, relationship.to_column)
    assert ends == ("Bob's Table", "a.b:c", "Other", "Key")
    assert [m.name for m in model.roles["R"].members] == ["ann@contoso.com"]
    assert model.expressions["P"].expression == '"x"'
    problems = [str(p) for p in model.problems]
    assert problems == [
        "definition/tables/Bob's Table.tmdl:26: an expression that starts on the '=' line cannot continue on the next line: "
        "start a multi-line expression on the line after '='",
        "definition/tables/Bob's Table.tmdl:28: indentation must be tabs, not spaces",
    ]


def test_names_quote_and_split():
    assert quote_name("Sales") == "Sales"
    assert quote_name("Date Key") == "'Date Key'"
    assert quote_name("Bob's") == "'Bob''s'"
    assert split_qualified_name("Sales.'Date Key'") == ["Sales", "Date Key"]
    assert split_qualified_name("'Bob''s T'.'a.b'") == ["Bob's T", "a.b"]
    assert split_qualified_name("Sales 'Date Key'") is None


@pytest.mark.parametrize(
    ("warehouse_column", "name"),
    [
        ("customer_id", "Customer ID"),
        ("rfm_code", "RFM Code"),
        ("r_score", "R Score"),
        ("net_revenue", "Net Revenue"),
        ("country_display_name", "Country Display Name"),
        ("user_principal_name", "User Principal Name"),
        ("p_value_holm", "P Value Holm"),
        ("aov", "AOV"),
        ("upn", "UPN"),
        ("iso_day_of_week", "Iso Day Of Week"),
    ],
)
def test_column_name_contract(warehouse_column, name):
    assert column_name(warehouse_column) == name


def test_the_one_name_exception_is_the_sales_revenue_column(model):
    assert column_name("revenue", "Sales") == "Line Revenue"
    assert model.tables["Sales"].columns["Line Revenue"].source_column == "revenue"
    assert model.tables["Returns"].columns["Revenue"].source_column == "revenue"
    assert not any(c.source_column in LINEAGE_COLUMNS for t in model.tables.values() for c in t.columns.values())


def test_dax_references():
    text = "CALCULATE([Revenue], 'Bob''s'[Key] = \"[not]\", Sales[Qty]) // [comment]\n+ COUNTROWS('Product')"
    assert [(t, n) for t, n, _ in dax_references(text)] == [(None, "Revenue"), ("Bob's", "Key"), ("Sales", "Qty"), ("Product", None)]


# -- DAX and M syntax ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "SUM('Sales'[Quantity]",  # unclosed call
        "SUM('Sales'[Quantity]))",  # one parenthesis too many
        "SUM('Sales'[Quantity]) SUM('Sales'[Quantity])",  # a complete expression, then more: only a prefix parses
        "1 2",
        "[Revenue] [Orders]",
        "[Revenue] +",
        "'Sales'[Quantity",
        '"unterminated',
        "SUM('Sales'[Quantity]) @",
        "VAR x = 1 RETURN",
        "",
        "// only a comment",
    ],
)
def test_broken_dax_is_rejected(text):
    assert dax_syntax_error(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "let Source = 1 in",
        "let a = {1, 2 in a",
        "let a = f(x) in a b",  # a prefix parses
        "let\n    Source = Sql.Database(SqlServer, SqlDatabase)\n    Data = Source\nin\n    Data",  # a missing comma
        'let a = Table.SelectColumns(x, {"a" "b"}) in a',
        'let a = "unterminated in a',
        '"cip" meta [IsParameterQuery=true',
        "",
    ],
)
def test_broken_m_is_rejected(text):
    assert m_syntax_error(text) is not None


def test_a_prefix_parse_is_rejected_by_counting_tokens_not_by_assert():
    """pbi_parsers' to_ast checks 'parsed to the end' with a bare assert, and its rules consume commas
    inside asserts: under python -O it returns the parse of a prefix ('1 2' -> 1) and loops forever on
    DIVIDE(1, 2). Our check counts the tokens consumed, and refuses to run under -O."""
    assert dax_syntax_error("1 2") == ("unexpected '2' after a complete expression", 2)
    script = (
        "from pbi_parsers import dax\n"
        "from powerbi.validate.expressions import dax_syntax_error\n"
        "print(type(dax.to_ast('1 2')).__name__)\n"
        "try:\n"
        "    dax_syntax_error('DIVIDE(1, 2)')\n"
        "except RuntimeError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run([sys.executable, "-O", "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60)
    library, ours = result.stdout.splitlines()
    assert library == "LiteralNumberExpression"  # the library alone accepts the prefix under -O
    assert "Run the checks without -O" in ours


def test_unpaired_brackets_are_found_before_the_slow_parser_runs(model, monkeypatch):
    # pbi-parsers needs minutes for this one (it retries failed matches without remembering them)
    assert m_syntax_error('"cip" meta [IsParameterQuery=true, Type="Text"') == ("'[' is never closed", 11)
    assert dax_syntax_error("DIVIDE([Revenue], [Orders]))") == ("unmatched ')'", 27)
    # and a parse that runs too long stops with a problem instead of hanging
    monkeypatch.setattr(expressions, "PARSE_STEP_BUDGET", 1_000)
    message, _ = expressions._syntax_error("m", model.tables["Customer"].partitions[0].expression)
    assert message.startswith("not parsed within 1,000 parser steps")


def test_the_syntax_error_points_at_the_line():
    message, offset = dax_syntax_error("CALCULATE(\n    [Revenue],\n    [Orders] [Units]\n)")
    assert "unexpected" in message
    assert "CALCULATE(\n    [Revenue],\n    [Orders] [Units]\n)"[:offset].count("\n") == 2


# -- the checks on the real model ------------------------------------------------------------------
def test_the_real_model_passes_every_check(model):
    for check in model_checks.CHECKS:
        assert check(model) == [], check.__name__
    assert check_model(MODEL) == []


def test_the_real_model_matches_the_warehouse(model, engine):
    assert compare_with_warehouse(model, engine) == []


# -- each check fails on a broken copy -------------------------------------------------------------
BROKEN = [
    pytest.param(
        "definition/relationships.tmdl",
        "toColumn: Date.'Date Key'",
        "toColumn: Date.'Date Keys'",
        "check_relationships",
        "relationships.tmdl:3: relationship Sales-Date: toColumn names Date[Date Keys], which does not exist",
        id="relationship-column-renamed",
    ),
    pytest.param(
        "definition/relationships.tmdl",
        "fromColumn: Sales.'Date Key'",
        "fromColumn: Sale.'Date Key'",
        "check_relationships",
        "fromColumn names table 'Sale'",
        id="relationship-table-renamed",
    ),
    pytest.param(
        "definition/tables/Sales.tmdl",
        "column 'Date Key'\n\t\tdataType: int64",
        "column 'Date Key'\n\t\tdataType: string",
        "check_relationships",
        "Sales[Date Key] is string but Date[Date Key] is int64",
        id="relationship-type-mismatch",
    ),
    pytest.param(
        "definition/relationships.tmdl",
        "toColumn: Date.'Date Key'\n",
        "toColumn: Date.'Date Key'\n\tcrossFilteringBehavior: bothDirections\n",
        "check_relationships",
        "filters bothDirections",
        id="relationship-both-directions",
    ),
    pytest.param(
        "definition/tables/Sales.tmdl",
        "DISTINCTCOUNT('Sales'[Invoice No])",
        "DISTINCTCOUNT('Sales'[Invoice No]",
        "check_dax",
        "Sales.tmdl:10: measure Sales[Orders]: DAX",
        id="dax-unclosed",
    ),
    pytest.param(
        "definition/tables/Sales.tmdl",
        "measure Units = SUM('Sales'[Quantity])",
        "measure Units = SUM('Sales'[Quantity]) SUM('Sales'[Quantity])",
        "check_dax",
        "measure Sales[Units]: DAX unexpected 'SUM' after a complete expression",
        id="dax-prefix-only",
    ),
    pytest.param(
        "definition/tables/Cohort Retention.tmdl",
        "\t\t\tRETURN\n\t\t\t    DIVIDE(ActiveCustomers, CohortSize)\n\t\tformatString: 0.0%\n\t\tdisplayFolder: Cohorts\n\n"
        "\t/// Share of the cohorts' customers who bought in the third",
        "\t\t\tRETURN\n\t\t\t    DIVIDE(ActiveCustomers CohortSize)\n\t\tformatString: 0.0%\n\t\tdisplayFolder: Cohorts\n\n"
        "\t/// Share of the cohorts' customers who bought in the third",
        "check_dax",
        "Cohort Retention.tmdl:10: measure Cohort Retention[Retention Month 1]: DAX",
        id="dax-multi-line-points-at-its-line",
    ),
    pytest.param(
        "definition/roles/Country Access.tmdl",
        "= USERPRINCIPALNAME())\n",
        "= USERPRINCIPALNAME()\n",
        "check_dax",
        "role Country Access: tablePermission Country: DAX",
        id="dax-row-filter",
    ),
    pytest.param(
        "definition/tables/Sales.tmdl",
        "measure Units = SUM('Sales'[Quantity])",
        "measure Units = SUM('Sales'[Qty])",
        "check_references",
        "'Sales'[Qty] - Sales has no column or measure 'Qty'",
        id="measure-column-missing",
    ),
    pytest.param(
        "definition/tables/Sales.tmdl",
        "DIVIDE([Revenue], [Orders])",
        "DIVIDE([Revenue], [Order Count])",
        "check_references",
        "[Order Count] is neither a measure nor a column",
        id="measure-measure-missing",
    ),
    pytest.param(
        "definition/roles/Country Access.tmdl",
        "VALUES('User Access'[Country Name])",
        "VALUES('User Access'[Country])",
        "check_references",
        "role Country Access: tablePermission Customer: 'User Access'[Country] - User Access has no column",
        id="row-filter-column-missing",
    ),
    pytest.param(
        "definition/roles/Country Access.tmdl",
        "tablePermission Customer =",
        "tablePermission Customers =",
        "check_roles",
        "tablePermission names table 'Customers', which does not exist",
        id="row-filter-table-missing",
    ),
    pytest.param(
        "definition/roles/Global Viewer.tmdl",
        "\tmodelPermission: read\n",
        "\tmodelPermission: read\n\n\tmember 'ann@contoso.com'\n",
        "check_roles",
        "Global Viewer.tmdl:6: role Global Viewer has member 'ann@contoso.com'",
        id="role-member",
    ),
    pytest.param(
        "definition/tables/Sales.tmdl",
        'Data = Source{[Schema="dw",Item="fact_sales"]}[Data],',
        'Data = Source{[Schema="dw",Item="fact_sales"]}[Data]',
        "check_m",
        "partition Sales of Sales: M",
        id="m-missing-comma",
    ),
    pytest.param(
        "definition/tables/Date.tmdl", "\t\t\t    )\n\t\t\tin", "\t\t\t    \n\t\t\tin", "check_m", "partition Date of Date: M", id="m-unclosed-call"
    ),
    pytest.param(
        "definition/expressions.tmdl", '"cip" meta [', '"cip meta [', "check_m", "expressions.tmdl:7: expression SqlDatabase: M", id="m-parameter"
    ),
    pytest.param(
        "definition/tables/Product.tmdl",
        "\tpartition Product = m\n",
        "\tpartition 'Product Extra' = m\n\t\tmode: import\n\t\tsource = #table({\"stock_code\"}, {})\n\n\tpartition Product = m\n",
        "check_partitions",
        "table Product has 2 partitions; expected exactly one",
        id="second-partition",
    ),
    pytest.param(
        "definition/tables/Date.tmdl",
        '"day_name",\n\t\t\t            "is_weekend"',
        '"day_name"',
        "check_partition_sources",
        "does not select 'is_weekend'",
        id="partition-column-not-selected",
    ),
    pytest.param(
        "definition/tables/Date.tmdl",
        "Sql.Database(SqlServer, SqlDatabase)",
        'Sql.Database("localhost", SqlDatabase)',
        "check_partition_sources",
        'Sql.Database argument "localhost" is not a parameter',
        id="partition-hard-coded-server",
    ),
    pytest.param(
        "definition/model.tmdl", "ref table Product\n", "", "check_model_refs", "table Product has no `ref table` line", id="model-ref-missing"
    ),
    pytest.param(
        "definition/model.tmdl",
        "ref table Product\n",
        "ref table Product\nref table Products\n",
        "check_model_refs",
        "ref table Products: no table of that name is declared",
        id="model-ref-unknown",
    ),
    pytest.param(
        "definition/roles/Country Access.tmdl",
        "\ttablePermission Customer =",
        "\ttablePermission Product =",
        "check_row_level_security",
        "role Country Access does not filter table Customer (it has Country, Customer ID)",
        id="rls-customer-unfiltered",
    ),
    pytest.param(
        "definition/roles/Country Access.tmdl",
        "\ttablePermission 'User Access' =",
        "\ttablePermission Date =",
        "check_row_level_security",
        "role Country Access does not filter table User Access",
        id="rls-mapping-unfiltered",
    ),
    pytest.param("definition/tables/Date.tmdl", "\tdataCategory: Time\n", "", "check_date_table", "no date table", id="date-table-unmarked"),
    pytest.param(
        "definition/tables/Date.tmdl",
        "\t\tisKey\n",
        "",
        "check_date_table",
        "date table Date needs exactly one isKey column",
        id="date-table-without-key",
    ),
    pytest.param(
        "definition/tables/Sales.tmdl",
        "column 'Line Revenue'",
        "column Revenue",
        "check_tables",
        "measure Sales[Revenue] has the name of a column of its table",
        id="measure-column-name-clash",
    ),
    pytest.param(
        "definition/tables/Date.tmdl",
        "column 'Is Weekend'",
        "column Weekend",
        "check_column_names",
        "Date[Weekend] reads is_weekend; by the naming contract it is 'Is Weekend'",
        id="column-name-contract",
    ),
    pytest.param(
        "definition/tables/Product.tmdl",
        "\tcolumn 'Product Type'",
        "    column 'Product Type'",
        "check_files",
        "Product.tmdl:14: indentation must be tabs, not spaces",
        id="spaces-for-indentation",
    ),
    pytest.param(
        "definition/tables/Product.tmdl",
        "\t\t\tin\n",
        "\t\t\tin\n\t\t\t    Selected\n\t\tfoo bar baz\n",
        "check_syntax",
        "cannot read this line: 'foo bar baz'",
        id="unreadable-line",
    ),
]


@pytest.mark.parametrize(("relative", "old", "new", "check", "expected"), BROKEN)
def test_each_check_fails_on_a_broken_copy(copy, relative, old, new, check, expected):
    folder, edit = copy
    edit(relative, old, new)
    model = read_model(folder)
    problems = printed(CHECKS_BY_NAME[check](model))
    assert any(expected in problem for problem in problems), problems
    assert all(LOCATED.match(problem) for problem in problems), problems
    assert set(problems) <= set(printed(check_model(folder)))


def test_measure_names_are_unique(copy):
    folder, edit = copy
    edit("definition/tables/Returns.tmdl", "measure 'Returned Units'", "measure Units")
    problems = printed(model_checks.check_tables(read_model(folder)))
    assert any("measure Units is also declared in table" in p for p in problems), problems


@pytest.mark.parametrize("relative", ["definition/tables/Country.tmdl", "definition.pbism", ".platform"])
def test_a_byte_order_mark_fails(copy, relative):
    folder, _ = copy
    path = folder / relative
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    problems = printed(model_checks.check_files(read_model(folder)))
    assert problems == [f"{relative}:1: starts with a UTF-8 byte order mark (save as UTF-8 without BOM)"]


def test_a_file_that_is_not_utf8_fails(copy):
    folder, _ = copy
    path = folder / "definition" / "tables" / "Product.tmdl"
    path.write_bytes(path.read_bytes().replace(b"Products by", b"Produ\xe7ts by"))
    problems = printed(model_checks.check_files(read_model(folder)))
    assert problems == ["definition/tables/Product.tmdl:1: not UTF-8: invalid continuation byte at byte 9"]


# -- the warehouse catalog -------------------------------------------------------------------------
def test_a_column_renamed_in_the_warehouse_fails(tmp_path, model):
    renamed = deploy_edited_schema(tmp_path, "dw/dim_product.sql", "product_type", "product_category")
    try:
        problems = compare_with_warehouse(model, renamed)
    finally:
        renamed.close()
    assert printed(problems) == [
        "definition/tables/Product.tmdl:14: Product[Product Type] reads product_type, which dw.dim_product does not have",
        "definition/tables/Product.tmdl:2: dw.dim_product.product_category is not in the model table Product "
        "(add the column, or list it in LINEAGE_COLUMNS if it is lineage)",
    ]


@pytest.mark.parametrize(
    ("relative", "old", "new", "expected"),
    [
        pytest.param(
            "definition/tables/Product.tmdl",
            "\t\tdataType: string\n\t\tsummarizeBy: none\n\t\tsourceColumn: product_type",
            "\t\tdataType: int64\n\t\tsummarizeBy: none\n\t\tsourceColumn: product_type",
            "Product[Product Type] is int64 but dw.dim_product.product_type is VARCHAR (expected string)",
            id="type",
        ),
        pytest.param(
            "definition/tables/Product Association.tmdl",
            "column Lift\n\t\tdataType: double",
            "column Lift\n\t\tdataType: decimal",
            "Product Association[Lift] is decimal but mart.product_association.lift is DECIMAL(19,10) (expected double)",
            id="decimal-over-4-places",
        ),
        pytest.param(
            "definition/tables/Product.tmdl",
            'Item="dim_product"',
            'Item="dim_products"',
            "Product reads dw.dim_products, which is not in the warehouse",
            id="source-object",
        ),
        pytest.param(
            "definition/tables/Country.tmdl",
            "\tcolumn Region\n\t\tdataType: string\n\t\tsummarizeBy: none\n\t\tsourceColumn: region\n",
            "",
            "dw.dim_country.region is not in the model table Country",
            id="warehouse-column-left-out",
        ),
    ],
)
def test_the_warehouse_comparison_fails_on_a_broken_copy(copy, engine, relative, old, new, expected):
    folder, edit = copy
    edit(relative, old, new)
    problems = printed(compare_with_warehouse(folder, engine))
    assert any(expected in problem for problem in problems), problems
    assert all(LOCATED.match(problem) for problem in problems), problems
