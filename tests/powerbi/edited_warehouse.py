"""A warehouse deployed from an edited copy of sql/schema (tables and views: all the Power BI model
reads), for tests that rename a column and expect the model checks to notice."""

from __future__ import annotations

import shutil
from pathlib import Path

import warehouse
from core.paths import SQL_ROOT

PRODUCT_DESCRIPTION = ("dw/dim_product.sql", "    description     NVARCHAR", "    product_description NVARCHAR")


def deploy_edited_schema(folder: Path, file: str, old: str, new: str, url: str = "duckdb:///:memory:") -> warehouse.Engine:
    """Copy sql/schema into `folder`, replace `old` by `new` in schema/`file`, deploy into `url`;
    returns the open engine (the caller closes it)."""
    schema = folder / "sql" / "schema"
    shutil.copytree(SQL_ROOT / "schema", schema)
    path = schema / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    engine = warehouse.connect(url)
    engine.deploy(folder / "sql")
    return engine
