"""Offline checks of the semantic model's structure (TMDL, read by powerbi.validate.tmdl).

Each check takes a `SemanticModel` and returns its problems (empty: fine); most are written as
generators of (location, message) that `@model_check` turns into Problems. `check_model(folder)`
reads the folder and runs them all, the DAX and M checks (powerbi.validate.expressions) included.
The comparison with the warehouse is powerbi.validate.catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from powerbi.validate.contract import DATA_TYPES, LINEAGE_COLUMNS, column_name
from powerbi.validate.encoding import decode_utf8
from powerbi.validate.expressions import check_dax, check_m, check_references
from powerbi.validate.problem import Location, Problem, model_check
from powerbi.validate.tmdl import read_model
from powerbi.validate.tmdl_objects import SemanticModel


def check_syntax(model: SemanticModel) -> list[Problem]:
    """What the reader could not read (unknown lines, unterminated fences, misplaced expressions)."""
    return [problem for problem in model.problems if problem.check == "syntax"]


def check_files(model: SemanticModel) -> list[Problem]:
    """Every file of the semantic model is UTF-8 without a BOM; TMDL indents with tabs."""
    problems = [problem for problem in model.problems if problem.check in ("encoding", "indentation")]
    reported = {problem.file for problem in model.problems if problem.check == "encoding"}
    for path in sorted(model.folder.rglob("*")):
        if not path.is_file() or path.suffix == ".tmdl" and path.is_relative_to(model.definition):
            continue  # the reader checked the .tmdl files
        if path.suffix not in (".json", ".pbism", ".pbir", ".platform", ".tmdl", ".md") and path.name != ".platform":
            continue
        display = model.display_path(path)
        if display in reported:
            continue
        problems.extend(decode_utf8(path.read_bytes(), display).problems)
    return problems


@model_check
def check_model_refs(model: SemanticModel) -> Iterator[tuple[Location, str]]:
    """model.tmdl's `ref table` lines name exactly the tables of tables/*.tmdl (one table per file,
    named like the file), and its `ref role` lines exactly the roles."""
    for ref_type, declared in (("table", model.tables), ("role", model.roles)):
        refs = model.refs_of(ref_type)
        names = [ref.name for ref in refs]
        for ref in refs:
            if ref.name not in declared:
                yield ref.location, f"ref {ref_type} {ref.name}: no {ref_type} of that name is declared"
            if names.count(ref.name) > 1 and ref is not next(r for r in refs if r.name == ref.name):
                yield ref.location, f"ref {ref_type} {ref.name} repeated"
        for name, item in declared.items():
            if name not in names:
                yield item.location, f"{ref_type} {name} has no `ref {ref_type}` line in model.tmdl"
    for name, table in model.tables.items():
        for file in table.files:
            if Path(file).stem != name:
                yield table.location, f"table {name} is declared in {file}; name the file {name}.tmdl"
    for file in model.files:
        if "/tables/" in f"/{file}" and not any(file in table.files for table in model.tables.values()):
            yield Location(file, 1), "declares no table"


@model_check
def check_tables(model: SemanticModel) -> Iterator[tuple[Location, str]]:
    """Columns have a known dataType and a sourceColumn (or a DAX expression), sortByColumn points
    at a column of the table, measure names are unique in the model and no measure shares its name
    with a column of its own table."""
    measure_homes: dict[str, str] = {}
    for table in model.tables.values():
        for column in table.columns.values():
            if column.data_type not in DATA_TYPES:
                yield column.location, f"{table.name}[{column.name}] has dataType {column.data_type!r}; expected one of {sorted(DATA_TYPES)}"
            if not column.source_column and not column.expression:
                yield column.location, f"{table.name}[{column.name}] has neither a sourceColumn nor a DAX expression"
            if column.sort_by_column is not None and column.sort_by_column not in table.columns:
                yield column.location, f"{table.name}[{column.name}] sorts by {column.sort_by_column!r}, not a column of {table.name}"
        for measure in table.measures.values():
            if measure.name in table.columns:
                yield measure.location, f"measure {table.name}[{measure.name}] has the name of a column of its table"
            if measure.name in measure_homes:
                home = measure_homes[measure.name]
                yield measure.location, f"measure {measure.name} is also declared in table {home} (measure names are unique in a model)"
            measure_homes.setdefault(measure.name, table.name)


@model_check
def check_partitions(model: SemanticModel) -> Iterator[tuple[Location, str]]:
    """Exactly one partition per table: an import-mode M partition with a source expression."""
    for table in model.tables.values():
        if len(table.partitions) != 1:
            where = table.partitions[1].location if len(table.partitions) > 1 else table.location
            yield where, f"table {table.name} has {len(table.partitions)} partitions; expected exactly one"
        for partition in table.partitions:
            if (partition.source_type or "").lower() != "m":
                yield partition.location, f"partition {partition.name} of {table.name} is {partition.source_type!r}; expected an M partition (= m)"
            if (partition.mode or "import").lower() != "import":
                yield partition.location, f"partition {partition.name} of {table.name} has mode {partition.mode}; expected import"
            if not partition.expression:
                yield partition.location, f"partition {partition.name} of {table.name} has no source expression"


@model_check
def check_relationships(model: SemanticModel) -> Iterator[tuple[Location, str]]:
    """Both ends of every relationship name an existing table and column, with the same dataType;
    relationships are many-to-one and filter in one direction."""
    for relationship in model.relationships:
        label = f"relationship {relationship.name}"
        ends = []
        for side, table_name, column_name_, location in (
            ("fromColumn", relationship.from_table, relationship.from_column, relationship.from_location),
            ("toColumn", relationship.to_table, relationship.to_column, relationship.to_location),
        ):
            where = location or relationship.location
            if table_name is None:
                yield where, f"{label} has no {side}"
                continue
            table = model.tables.get(table_name)
            if table is None:
                yield where, f"{label}: {side} names table {table_name!r}, which does not exist"
                continue
            column = table.columns.get(column_name_ or "")
            if column is None:
                yield where, f"{label}: {side} names {table_name}[{column_name_}], which does not exist"
                continue
            ends.append(column)
        if len(ends) == 2 and ends[0].data_type != ends[1].data_type:
            message = (
                f"{label}: {relationship.from_table}[{relationship.from_column}] is {ends[0].data_type} "
                f"but {relationship.to_table}[{relationship.to_column}] is {ends[1].data_type}"
            )
            yield relationship.location, message
        properties = relationship.properties
        if properties.get("crossFilteringBehavior", "oneDirection") != "oneDirection":
            yield relationship.location, f"{label} filters {properties['crossFilteringBehavior']}; use oneDirection"
        if properties.get("fromCardinality", "many") != "many" or properties.get("toCardinality", "one") != "one":
            yield relationship.location, f"{label} is not many-to-one"


@model_check
def check_roles(model: SemanticModel) -> Iterator[tuple[Location, str]]:
    """Roles read, filter existing tables, and carry no members (members live in the service)."""
    for role in model.roles.values():
        if (role.model_permission or "").lower() != "read":
            yield role.location, f"role {role.name} has modelPermission {role.model_permission!r}; expected read"
        for permission in role.table_permissions.values():
            if permission.table not in model.tables:
                yield permission.location, f"role {role.name}: tablePermission names table {permission.table!r}, which does not exist"
            if not (permission.expression or "").strip():
                yield permission.location, f"role {role.name}: tablePermission {permission.table} has no filter expression"
        for member in role.members:
            yield member.location, f"role {role.name} has member {member.name!r}; manage members in the Power BI service, not in source"


# Aggregates without a customer row: visible to every viewer (see the Country Access role).
COMPANY_WIDE_TABLES = frozenset({"Cohort Retention", "Product Association", "Segment Validation", "Churn Model Evaluation"})
# A table with one of these columns holds customer- or country-level rows.
PERSONAL_COLUMNS = frozenset({"Customer ID", "Country Key", "Country", "User Principal Name"})


@model_check
def check_row_level_security(model: SemanticModel) -> Iterator[tuple[Location, str]]:
    """In every role that filters anything, every table holding customer- or country-level rows
    (a column of PERSONAL_COLUMNS) is secured: filtered by the role, or on the many side of an
    active relationship from a secured table (filters flow one -> many). A new such table, or a
    dropped relationship, would otherwise show every country's rows to a restricted viewer."""
    for role in model.roles.values():
        if not role.table_permissions:
            continue  # an unrestricted role (e.g. Global Viewer)
        secured = {name for name in role.table_permissions if name in model.tables}
        grew = True
        while grew:
            grew = False
            for relationship in model.relationships:
                if relationship.is_active and relationship.to_table in secured and relationship.from_table not in secured:
                    secured.add(relationship.from_table)
                    grew = True
        for table in model.tables.values():
            personal = PERSONAL_COLUMNS & set(table.columns)
            if personal and table.name not in secured and table.name not in COMPANY_WIDE_TABLES:
                message = (
                    f"role {role.name} does not filter table {table.name} (it has {', '.join(sorted(personal))}): "
                    "add a tablePermission or a relationship from a filtered table, or list it in COMPANY_WIDE_TABLES"
                )
                yield table.location, message


@model_check
def check_date_table(model: SemanticModel) -> Iterator[tuple[Location, str]]:
    """A table is marked as the date table: dataCategory Time and an isKey dateTime column."""
    marked = [table for table in model.tables.values() if (table.data_category or "").lower() == "time"]
    if not marked:
        where = model.refs_of("table")[0].location if model.refs_of("table") else Location("definition/model.tmdl", 1)
        yield where, "no date table: mark one with `dataCategory: Time` and `isKey` on its date column"
        return
    for table in marked:
        keys = [column for column in table.columns.values() if column.is_key]
        if len(keys) != 1 or keys[0].data_type != "dateTime":
            yield table.location, f"date table {table.name} needs exactly one isKey column of dataType dateTime (has {[c.name for c in keys]})"


@model_check
def check_partition_sources(model: SemanticModel) -> Iterator[tuple[Location, str]]:
    """Each M partition reads `Sql.Database(<parameter>, <parameter>)` with parameters of
    expressions.tmdl, navigates to one warehouse object and selects exactly the table's
    sourceColumns."""
    for table in model.tables.values():
        for partition in table.partitions:
            where = partition.expression_location or partition.location
            label = f"partition {partition.name} of {table.name}"
            arguments = partition.sql_database_arguments
            if arguments is None:
                yield where, f"{label} does not read Sql.Database(SqlServer, SqlDatabase)"
            else:
                for argument in arguments:
                    expression = model.expressions.get(argument)
                    if expression is None or not expression.is_parameter:
                        yield where, f"{label}: Sql.Database argument {argument} is not a parameter of expressions.tmdl"
            if partition.source_object is None:
                yield where, f'{label} does not navigate to Source{{[Schema="...",Item="..."]}}[Data]'
            selected = partition.selected_columns
            sources = [c.source_column for c in table.columns.values() if c.source_column and not c.expression]
            if selected is None:
                yield where, f"{label} does not select its columns with Table.SelectColumns"
                continue
            for missing in [c for c in sources if c not in selected]:
                yield where, f"{label} does not select {missing!r}, the sourceColumn of a column of {table.name}"
            for extra in [c for c in selected if c not in sources]:
                yield where, f"{label} selects {extra!r}, which no column of {table.name} reads"


@model_check
def check_column_names(model: SemanticModel) -> Iterator[tuple[Location, str]]:
    """Column names follow the naming contract: column_name(sourceColumn), and no lineage column."""
    for table in model.tables.values():
        for column in table.columns.values():
            if not column.source_column:
                continue
            if column.source_column in LINEAGE_COLUMNS:
                yield column.location, f"{table.name}[{column.name}] reads lineage column {column.source_column}; leave lineage out of the model"
            expected = column_name(column.source_column, table.name)
            if column.name != expected:
                yield column.location, f"{table.name}[{column.name}] reads {column.source_column}; by the naming contract it is {expected!r}"


CHECKS: tuple[Callable[[SemanticModel], list[Problem]], ...] = (
    check_syntax,
    check_files,
    check_model_refs,
    check_tables,
    check_partitions,
    check_partition_sources,
    check_column_names,
    check_m,
    check_dax,
    check_references,
    check_relationships,
    check_roles,
    check_row_level_security,
    check_date_table,
)


def check_model(folder: str | Path | SemanticModel) -> list[Problem]:
    """Read the TMDL folder and run every check; [] when the model is fine."""
    model = folder if isinstance(folder, SemanticModel) else read_model(folder)
    problems: list[Problem] = []
    for check in CHECKS:
        problems.extend(check(model))
    return problems
