"""Offline validation of the PBIP project (powerbi/): `validate(project_dir, schema_dir, engine)`
runs every check and is what `cip powerbi validate` calls; every check reports `Problem`s.

    problem.py          Problem, the one result type
    encoding.py         UTF-8 without a byte order mark (every file)
    json_files.py       which PBIR/PBIP JSON files are checked, each read once
    schemas.py          JSON-schema validation against Microsoft's schemas (offline)
    report.py           report structure, layout, themes and resources, the .pbip shortcut
    fields.py           the model fields visuals use, and that each exists in the model
    tmdl_objects.py     the semantic model as read from TMDL (tables, columns, measures, roles...)
    tmdl_syntax.py      the TMDL line grammar
    tmdl.py             read_model: TMDL files -> SemanticModel
    expressions.py      DAX and M: each parses, DAX references exist
    model_checks.py     the model's structure: partitions, relationships, roles, RLS, names...
    contract.py         the warehouse -> model contract: column names, lineage, data types
    catalog.py          the model against a deployed warehouse's catalog
    project.py          validate() and model_vs_warehouse()
"""

from powerbi.validate.problem import Problem
from powerbi.validate.project import Validation, model_vs_warehouse, validate

__all__ = ["Problem", "Validation", "model_vs_warehouse", "validate"]
