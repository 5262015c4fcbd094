"""docs/er_diagram.md is generated from sql/schema and must be kept up to date."""

from etl.er_diagram import DIAGRAM, document, read_entities


def test_the_committed_er_diagram_is_up_to_date():
    assert DIAGRAM.read_text(encoding="utf-8") == document(), "run: .venv/bin/python -m warehouse.er_diagram"


def test_the_diagram_has_the_star_and_its_relationships():
    entities = {entity.name: entity for entity in read_entities()}
    for name in (
        "dw.fact_sales",
        "dw.fact_returns",
        "dw.dim_customer",
        "dw.dim_product",
        "dw.dim_date",
        "dw.dim_country",
        "mart.single_customer_view",
    ):
        assert name in entities
    fact = entities["dw.fact_sales"]
    assert sorted(fact.references) == [
        ("country_key", "dw.dim_country"), ("customer_id", "dw.dim_customer"), ("date_key", "dw.dim_date"), ("stock_code", "dw.dim_product"),
    ]  # fmt: skip
    assert fact.keys["source_row"] == {"PK"}
    assert entities["dw.dim_country"].keys["country_name"] == {"UK"}
