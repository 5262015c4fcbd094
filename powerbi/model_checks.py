"""Offline checks of the Power BI semantic model (TMDL, read by `powerbi.tmdl`).

Each check takes a `SemanticModel` and returns its problems as `"file:line: what is wrong"`
strings (empty: fine); `check_model(folder)` reads the folder and runs them all.
`compare_with_warehouse(model, engine)` holds the model against the deployed warehouse catalog.

DAX and M are parsed with pbi-parsers (`pbi_parsers.dax`, `pbi_parsers.pq`). Its `to_ast` has
three ways of saying "broken" - it raises ValueError, returns None, or fails a bare `assert` that
the parse reached the end (which `python -O` strips, leaving the parse of a prefix) - so
`dax_syntax_error` / `m_syntax_error` drive its lexer and parser directly and require every
token to be consumed. Under -O the library is unusable (its rules consume commas inside asserts
and loop forever on `DIVIDE(1, 2)`): the checks refuse to run there. It memoises only successful
matches, so some broken M backtracks for minutes: brackets are paired first (an exact, instant
answer), and a parse stops after PARSE_STEP_BUDGET steps. Results are cached by text.
Known gaps of the library - accepted although Power BI would refuse: empty arguments
(`DIVIDE(,)`), a trailing comma before `in`; refused although valid: an unquoted table name
starting with `Return`/`Var`, `IN` not followed by a space, `NOT x` without parentheses - write
`'Returns'[...]`, `IN ` and `NOT(x)`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from powerbi.tmdl import BOM, Location, SemanticModel, read_model

__all__ = [
    "CHECKS",
    "COLUMN_NAME_OVERRIDES",
    "LINEAGE_COLUMNS",
    "PARSE_STEP_BUDGET",
    "DATA_TYPES",
    "check_column_names",
    "check_dax",
    "check_date_table",
    "check_files",
    "check_m",
    "check_model",
    "check_model_refs",
    "check_partition_sources",
    "check_partitions",
    "check_references",
    "check_relationships",
    "check_roles",
    "check_syntax",
    "check_tables",
    "column_name",
    "compare_with_warehouse",
    "dax_references",
    "dax_syntax_error",
    "m_syntax_error",
    "warehouse_columns",
]

# Warehouse columns that record where a row came from, not what it says: never in the model.
# The one list - the warehouse comparison and the tests use it.
LINEAGE_COLUMNS = frozenset({"batch_id", "run_id", "source", "source_row", "line_key"})

# Model column name = the warehouse column name in Title Case (split on _, capitalise each word),
# except these words.
_NAME_WORDS = {"id": "ID", "rfm": "RFM", "upn": "UPN", "aov": "AOV", "p": "P"}

# The exceptions to that rule, (table, sourceColumn) -> name. Sales.revenue would be "Revenue",
# which the table's Revenue measure holds: a column cannot share its name with a measure of its
# own table.
COLUMN_NAME_OVERRIDES = {("Sales", "revenue"): "Line Revenue"}

DATA_TYPES = frozenset({"string", "int64", "double", "decimal", "dateTime", "boolean", "binary", "variant"})


def column_name(warehouse_column: str, table: str | None = None) -> str:
    """The model name of a warehouse column: customer_id -> Customer ID, rfm_code -> RFM Code."""
    if table is not None and (table, warehouse_column) in COLUMN_NAME_OVERRIDES:
        return COLUMN_NAME_OVERRIDES[table, warehouse_column]
    return " ".join(_NAME_WORDS.get(word, word.capitalize()) for word in warehouse_column.split("_"))


# -- DAX and M syntax ------------------------------------------------------------------------------
# pbi-parsers backtracks without remembering failures, so some broken M (an unclosed record in a
# long expression) would take minutes: stop after this many parser steps (peek/consume). The
# longest expression of the model takes ~170,000; a 30-item M list about 200,000.
PARSE_STEP_BUDGET = 5_000_000

_CLOSING = {"LEFT_PAREN": "RIGHT_PAREN", "LEFT_CURLY_BRACE": "RIGHT_CURLY_BRACE", "LEFT_BRACKET": "RIGHT_BRACKET"}


class _OverBudget(Exception):
    """Not a ValueError: pbi-parsers catches those inside its rules."""


@functools.cache
def _budgeted(parser_class: type) -> type:
    class BudgetedParser(parser_class):
        steps = 0

        def _step(self) -> None:
            self.steps += 1
            if self.steps > PARSE_STEP_BUDGET:
                raise _OverBudget

        def peek(self, forward: int = 0):
            self._step()
            return super().peek(forward)

        def consume(self):
            self._step()
            return super().consume()

    return BudgetedParser


def _unbalanced(tokens) -> tuple[str, int] | None:
    """Brackets that do not pair up: a quick, exact answer before the (slow) parser runs."""
    stack = []
    for token in tokens:
        kind = token.tok_type.name
        if kind in _CLOSING:
            stack.append(token)
        elif kind in _CLOSING.values():
            if not stack or _CLOSING[stack[-1].tok_type.name] != kind:
                return f"unmatched {token.text!r}", token.text_slice.start
            stack.pop()
    if stack:
        return f"{stack[-1].text!r} is never closed", stack[-1].text_slice.start
    return None


def _syntax_error(language: str, text: str) -> tuple[str, int] | None:
    """(message, character offset) if `text` is not one whole DAX / M expression, else None."""
    if language == "dax":
        from pbi_parsers.dax import Lexer, Parser
        from pbi_parsers.dax.exprs import any_expression_match
        from pbi_parsers.dax.main import remove_non_executing_tokens
    else:
        from pbi_parsers.pq import Lexer, Parser
        from pbi_parsers.pq.exprs import any_expression_match
        from pbi_parsers.pq.main import remove_non_executing_tokens
    if not __debug__:
        raise RuntimeError(
            "pbi-parsers parses with assert statements (`assert parser.consume() is a comma`), which python -O "
            "strips: it then loops forever on DIVIDE(1, 2). Run the checks without -O / PYTHONOPTIMIZE."
        )
    if not text.strip():
        return "empty expression", 0
    try:
        scanned = Lexer(text).scan()
    except Exception as error:  # the lexer raises ValueError on an unterminated string, a stray character ...
        return f"cannot tokenise: {error}", _position_in(str(error))
    if not scanned or scanned[-1].text_slice.end != len(text):  # the lexer must cover the whole text
        end = scanned[-1].text_slice.end if scanned else 0
        return "cannot tokenise the end of the expression", end
    tokens = remove_non_executing_tokens(scanned)
    if not tokens:
        return "only comments, no expression", 0
    unbalanced = _unbalanced(tokens)
    if unbalanced:
        return unbalanced
    parser = _budgeted(Parser)(tokens)
    try:
        tree = any_expression_match(parser)
    except _OverBudget:
        return f"not parsed within {PARSE_STEP_BUDGET:,} parser steps (pbi-parsers backtracks on some broken input): check it by hand", 0
    except RecursionError:
        return "too deeply nested to parse", 0
    except AssertionError:  # a rule's `assert parser.consume() is a comma / ) / RETURN` failed
        token = tokens[min(max(parser.index - 1, 0), len(tokens) - 1)]
        return f"unexpected {token.text!r}", token.text_slice.start
    except Exception as error:  # ValueError on a dangling operator, an unclosed call ...
        token = parser.peek()
        offset = token.text_slice.start if token.text_slice.start >= 0 else len(text)
        return f"does not parse: {str(error) or type(error).__name__}", offset
    if tree is None:
        return f"no expression can start with {tokens[0].text!r}", tokens[0].text_slice.start
    if parser.index < len(tokens):  # parsed only a prefix: what follows is not part of the expression
        token = tokens[parser.index]
        return f"unexpected {token.text!r} after a complete expression", token.text_slice.start
    return None


def _position_in(message: str) -> int:
    match = re.search(r"position[s]?:? (\d+)", message)
    return int(match.group(1)) if match else 0


@functools.lru_cache(maxsize=4096)
def dax_syntax_error(text: str) -> tuple[str, int] | None:
    """(message, offset in text) when `text` is not one complete DAX expression, else None."""
    return _syntax_error("dax", text)


@functools.lru_cache(maxsize=4096)
def m_syntax_error(text: str) -> tuple[str, int] | None:
    """(message, offset in text) when `text` is not one complete M expression, else None."""
    return _syntax_error("m", text)


def _at(location: Location, text: str, offset: int) -> Location:
    return location.offset(text[:offset].count("\n"))


# -- DAX references --------------------------------------------------------------------------------
_DAX_TOKENS = re.compile(
    r"""
    (?P<string>"(?:[^"]|"")*"?)
  | (?P<comment>//[^\n]*|--[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<quoted>'(?:[^']|'')*'?)
  | (?P<bracket>\[[^\]]*\]?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.S | re.X,
)


def dax_references(text: str) -> list[tuple[str | None, str | None, int]]:
    """The model references of a DAX expression as (table, name, offset): 'T'[C] and T[C] give
    (T, C); [X] gives (None, X); a lone 'T' gives (T, None). Strings and comments are skipped."""
    tokens = [(m.lastgroup, m.group(), m.start()) for m in _DAX_TOKENS.finditer(text)]
    references = []
    index = 0
    while index < len(tokens):
        kind, value, start = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else (None, "", 0)
        if kind in ("quoted", "word") and following[0] == "bracket":
            table = value[1:-1].replace("''", "'") if kind == "quoted" else value
            references.append((table, following[1][1:-1], start))
            index += 2
            continue
        if kind == "bracket":
            references.append((None, value[1:-1], start))
        elif kind == "quoted":
            references.append((value[1:-1].replace("''", "'"), None, start))
        index += 1
    return references


# -- the checks ------------------------------------------------------------------------------------
def check_syntax(model: SemanticModel) -> list[str]:
    """What the reader could not read (unknown lines, unterminated fences, misplaced expressions)."""
    return [str(problem) for problem in model.problems if problem.kind == "syntax"]


def check_files(model: SemanticModel) -> list[str]:
    """Every file of the semantic model is UTF-8 without a BOM; TMDL indents with tabs."""
    problems = [str(problem) for problem in model.problems if problem.kind in ("encoding", "indentation")]
    reported = {problem.location.file for problem in model.problems if problem.kind == "encoding"}
    for path in sorted(model.folder.rglob("*")):
        if not path.is_file() or path.suffix == ".tmdl" and path.is_relative_to(model.definition):
            continue  # the reader checked the .tmdl files
        if path.suffix not in (".json", ".pbism", ".pbir", ".platform", ".tmdl", ".md") and path.name != ".platform":
            continue
        display = model.display_path(path)
        if display in reported:
            continue
        data = path.read_bytes()
        if data.startswith(BOM):
            problems.append(f"{display}:1: starts with a UTF-8 byte order mark (save as UTF-8 without BOM)")
            data = data[len(BOM) :]
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            problems.append(f"{display}:{line}: not UTF-8: {error.reason}")
    return problems


def check_model_refs(model: SemanticModel) -> list[str]:
    """model.tmdl's `ref table` lines name exactly the tables of tables/*.tmdl (one table per file,
    named like the file), and its `ref role` lines exactly the roles."""
    problems = []
    for ref_type, declared in (("table", model.tables), ("role", model.roles)):
        refs = model.refs_of(ref_type)
        names = [ref.name for ref in refs]
        for ref in refs:
            if ref.name not in declared:
                problems.append(f"{ref.location}: ref {ref_type} {ref.name}: no {ref_type} of that name is declared")
            if names.count(ref.name) > 1 and ref is not next(r for r in refs if r.name == ref.name):
                problems.append(f"{ref.location}: ref {ref_type} {ref.name} repeated")
        for name, item in declared.items():
            if name not in names:
                problems.append(f"{item.location}: {ref_type} {name} has no `ref {ref_type}` line in model.tmdl")
    for name, table in model.tables.items():
        for file in table.files:
            if Path(file).stem != name:
                problems.append(f"{table.location}: table {name} is declared in {file}; name the file {name}.tmdl")
    for file in model.files:
        if "/tables/" in f"/{file}" and not any(file in table.files for table in model.tables.values()):
            problems.append(f"{file}:1: declares no table")
    return problems


def check_tables(model: SemanticModel) -> list[str]:
    """Columns have a known dataType and a sourceColumn (or a DAX expression), sortByColumn points
    at a column of the table, measure names are unique in the model and no measure shares its name
    with a column of its own table."""
    problems = []
    measure_homes: dict[str, str] = {}
    for table in model.tables.values():
        for column in table.columns.values():
            if column.data_type not in DATA_TYPES:
                problems.append(f"{column.location}: {table.name}[{column.name}] has dataType {column.data_type!r}; expected one of {sorted(DATA_TYPES)}")
            if not column.source_column and not column.expression:
                problems.append(f"{column.location}: {table.name}[{column.name}] has neither a sourceColumn nor a DAX expression")
            if column.sort_by_column is not None and column.sort_by_column not in table.columns:
                problems.append(f"{column.location}: {table.name}[{column.name}] sorts by {column.sort_by_column!r}, not a column of {table.name}")
        for measure in table.measures.values():
            if measure.name in table.columns:
                problems.append(f"{measure.location}: measure {table.name}[{measure.name}] has the name of a column of its table")
            if measure.name in measure_homes:
                problems.append(f"{measure.location}: measure {measure.name} is also declared in table {measure_homes[measure.name]} (measure names are unique in a model)")
            measure_homes.setdefault(measure.name, table.name)
    return problems


def check_partitions(model: SemanticModel) -> list[str]:
    """Exactly one partition per table: an import-mode M partition with a source expression."""
    problems = []
    for table in model.tables.values():
        if len(table.partitions) != 1:
            where = table.partitions[1].location if len(table.partitions) > 1 else table.location
            problems.append(f"{where}: table {table.name} has {len(table.partitions)} partitions; expected exactly one")
        for partition in table.partitions:
            if (partition.source_type or "").lower() != "m":
                problems.append(f"{partition.location}: partition {partition.name} of {table.name} is {partition.source_type!r}; expected an M partition (= m)")
            if (partition.mode or "import").lower() != "import":
                problems.append(f"{partition.location}: partition {partition.name} of {table.name} has mode {partition.mode}; expected import")
            if not partition.expression:
                problems.append(f"{partition.location}: partition {partition.name} of {table.name} has no source expression")
    return problems


def check_m(model: SemanticModel) -> list[str]:
    """Every partition source and shared expression is one complete M expression."""
    problems = []
    items = [(f"partition {p.name} of {t.name}", p.expression, p.expression_location) for t in model.tables.values() for p in t.partitions if p.expression]
    items += [(f"expression {e.name}", e.expression, e.expression_location) for e in model.expressions.values()]
    for what, text, location in items:
        error = m_syntax_error(text)
        if error:
            message, offset = error
            problems.append(f"{_at(location, text, offset)}: {what}: M {message}")
    return problems


def _dax_items(model: SemanticModel) -> Iterable[tuple[str, str, Location, str]]:
    """(what, DAX text, location of its first line, home table) of every measure and row filter."""
    for table in model.tables.values():
        for measure in table.measures.values():
            yield f"measure {table.name}[{measure.name}]", measure.expression, measure.expression_location, table.name
        for column in table.columns.values():
            if column.expression:
                yield f"calculated column {table.name}[{column.name}]", column.expression, column.location, table.name
    for role in model.roles.values():
        for permission in role.table_permissions.values():
            if permission.expression is not None:
                yield f"role {role.name}: tablePermission {permission.table}", permission.expression, permission.expression_location, permission.table


def check_dax(model: SemanticModel) -> list[str]:
    """Every measure, calculated column and row filter is one complete DAX expression."""
    problems = []
    for what, text, location, _ in _dax_items(model):
        error = dax_syntax_error(text)
        if error:
            message, offset = error
            problems.append(f"{_at(location, text, offset)}: {what}: DAX {message}")
    return problems


def check_references(model: SemanticModel) -> list[str]:
    """Every 'Table'[Column], [Measure] and 'Table' a measure or row filter names exists.
    An unqualified [X] must be a measure, or a column of the home table or of a table the
    expression names (a row context)."""
    problems = []
    all_measures = {name for table in model.tables.values() for name in table.measures}
    for what, text, location, home in _dax_items(model):
        references = dax_references(text)
        tables_named = {table for table, _, _ in references if table}
        for table_name, name, offset in references:
            where = _at(location, text, offset)
            if table_name is not None:
                table = model.tables.get(table_name)
                if table is None:
                    problems.append(f"{where}: {what}: no table {table_name!r}")
                elif name is not None and name not in table.columns and name not in table.measures:
                    problems.append(f"{where}: {what}: {table_name!r}[{name}] - {table_name} has no column or measure {name!r}")
                continue
            if name in all_measures:
                continue
            in_context = [model.tables[t] for t in {home, *tables_named} if t in model.tables]
            if not any(name in table.columns for table in in_context):
                problems.append(f"{where}: {what}: [{name}] is neither a measure nor a column of {sorted(t.name for t in in_context)}")
    return problems


def check_relationships(model: SemanticModel) -> list[str]:
    """Both ends of every relationship name an existing table and column, with the same dataType;
    relationships are many-to-one and filter in one direction."""
    problems = []
    for relationship in model.relationships:
        label = f"relationship {relationship.name}"
        ends = []
        for side, table_name, column_name_, location in (
            ("fromColumn", relationship.from_table, relationship.from_column, relationship.from_location),
            ("toColumn", relationship.to_table, relationship.to_column, relationship.to_location),
        ):
            where = location or relationship.location
            if table_name is None:
                problems.append(f"{where}: {label} has no {side}")
                continue
            table = model.tables.get(table_name)
            if table is None:
                problems.append(f"{where}: {label}: {side} names table {table_name!r}, which does not exist")
                continue
            column = table.columns.get(column_name_ or "")
            if column is None:
                problems.append(f"{where}: {label}: {side} names {table_name}[{column_name_}], which does not exist")
                continue
            ends.append(column)
        if len(ends) == 2 and ends[0].data_type != ends[1].data_type:
            problems.append(
                f"{relationship.location}: {label}: {relationship.from_table}[{relationship.from_column}] is {ends[0].data_type} "
                f"but {relationship.to_table}[{relationship.to_column}] is {ends[1].data_type}"
            )
        properties = relationship.properties
        if properties.get("crossFilteringBehavior", "oneDirection") != "oneDirection":
            problems.append(f"{relationship.location}: {label} filters {properties['crossFilteringBehavior']}; use oneDirection")
        if properties.get("fromCardinality", "many") != "many" or properties.get("toCardinality", "one") != "one":
            problems.append(f"{relationship.location}: {label} is not many-to-one")
    return problems


def check_roles(model: SemanticModel) -> list[str]:
    """Roles read, filter existing tables, and carry no members (members live in the service)."""
    problems = []
    for role in model.roles.values():
        if (role.model_permission or "").lower() != "read":
            problems.append(f"{role.location}: role {role.name} has modelPermission {role.model_permission!r}; expected read")
        for permission in role.table_permissions.values():
            if permission.table not in model.tables:
                problems.append(f"{permission.location}: role {role.name}: tablePermission names table {permission.table!r}, which does not exist")
            if not (permission.expression or "").strip():
                problems.append(f"{permission.location}: role {role.name}: tablePermission {permission.table} has no filter expression")
        for member in role.members:
            problems.append(f"{member.location}: role {role.name} has member {member.name!r}; manage members in the Power BI service, not in source")
    return problems


# Aggregates without a customer row: visible to every viewer (see the Country Access role).
COMPANY_WIDE_TABLES = frozenset({"Cohort Retention", "Product Association", "Segment Validation", "Churn Model Evaluation"})
# A table with one of these columns holds customer- or country-level rows.
PERSONAL_COLUMNS = frozenset({"Customer ID", "Country Key", "Country", "User Principal Name"})


def check_row_level_security(model: SemanticModel) -> list[str]:
    """In every role that filters anything, every table holding customer- or country-level rows
    (a column of PERSONAL_COLUMNS) is secured: filtered by the role, or on the many side of an
    active relationship from a secured table (filters flow one -> many). A new such table, or a
    dropped relationship, would otherwise show every country's rows to a restricted viewer."""
    problems = []
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
                problems.append(
                    f"{table.location}: role {role.name} does not filter table {table.name} (it has {', '.join(sorted(personal))}): "
                    "add a tablePermission or a relationship from a filtered table, or list it in COMPANY_WIDE_TABLES"
                )
    return problems


def check_date_table(model: SemanticModel) -> list[str]:
    """A table is marked as the date table: dataCategory Time and an isKey dateTime column."""
    marked = [table for table in model.tables.values() if (table.data_category or "").lower() == "time"]
    if not marked:
        where = model.refs_of("table")[0].location if model.refs_of("table") else Location("definition/model.tmdl", 1)
        return [f"{where}: no date table: mark one with `dataCategory: Time` and `isKey` on its date column"]
    problems = []
    for table in marked:
        keys = [column for column in table.columns.values() if column.is_key]
        if len(keys) != 1 or keys[0].data_type != "dateTime":
            problems.append(f"{table.location}: date table {table.name} needs exactly one isKey column of dataType dateTime (has {[c.name for c in keys]})")
    return problems


def check_partition_sources(model: SemanticModel) -> list[str]:
    """Each M partition reads `Sql.Database(<parameter>, <parameter>)` with parameters of
    expressions.tmdl, navigates to one warehouse object and selects exactly the table's
    sourceColumns."""
    problems = []
    for table in model.tables.values():
        for partition in table.partitions:
            where = partition.expression_location or partition.location
            label = f"partition {partition.name} of {table.name}"
            arguments = partition.sql_database_arguments
            if arguments is None:
                problems.append(f"{where}: {label} does not read Sql.Database(SqlServer, SqlDatabase)")
            else:
                for argument in arguments:
                    expression = model.expressions.get(argument)
                    if expression is None or not expression.is_parameter:
                        problems.append(f"{where}: {label}: Sql.Database argument {argument} is not a parameter of expressions.tmdl")
            if partition.source_object is None:
                problems.append(f'{where}: {label} does not navigate to Source{{[Schema="...",Item="..."]}}[Data]')
            selected = partition.selected_columns
            sources = [c.source_column for c in table.columns.values() if c.source_column and not c.expression]
            if selected is None:
                problems.append(f"{where}: {label} does not select its columns with Table.SelectColumns")
                continue
            for missing in [c for c in sources if c not in selected]:
                problems.append(f"{where}: {label} does not select {missing!r}, the sourceColumn of a column of {table.name}")
            for extra in [c for c in selected if c not in sources]:
                problems.append(f"{where}: {label} selects {extra!r}, which no column of {table.name} reads")
    return problems


def check_column_names(model: SemanticModel) -> list[str]:
    """Column names follow the naming contract: column_name(sourceColumn), and no lineage column."""
    problems = []
    for table in model.tables.values():
        for column in table.columns.values():
            if not column.source_column:
                continue
            if column.source_column in LINEAGE_COLUMNS:
                problems.append(f"{column.location}: {table.name}[{column.name}] reads lineage column {column.source_column}; leave lineage out of the model")
            expected = column_name(column.source_column, table.name)
            if column.name != expected:
                problems.append(f"{column.location}: {table.name}[{column.name}] reads {column.source_column}; by the naming contract it is {expected!r}")
    return problems


CHECKS: tuple[Callable[[SemanticModel], list[str]], ...] = (
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


def check_model(folder: str | Path | SemanticModel) -> list[str]:
    """Read the TMDL folder and run every check; [] when the model is fine."""
    model = folder if isinstance(folder, SemanticModel) else read_model(folder)
    problems: list[str] = []
    for check in CHECKS:
        problems.extend(check(model))
    return problems


# -- the warehouse ---------------------------------------------------------------------------------
# Model dataType(s) each warehouse type may load into. DECIMAL with more than 4 decimals cannot be
# a Power BI fixed decimal (4 decimals); it loads as double.
def _compatible_types(data_type: str, scale: object) -> set[str]:
    base = data_type.strip().lower().split("(")[0].strip()
    if base in ("int", "integer", "bigint", "smallint", "tinyint", "int64", "int32", "int16", "int8", "hugeint", "ubigint", "uinteger", "usmallint", "utinyint"):
        return {"int64"}
    if base in ("decimal", "numeric", "money", "smallmoney"):
        digits = _decimal_scale(data_type, scale)
        return {"decimal", "double"} if digits is not None and digits <= 4 else {"double"}
    if base in ("float", "double", "real", "float4", "float8"):
        return {"double"}
    if base in ("varchar", "nvarchar", "char", "nchar", "text", "ntext", "string", "uniqueidentifier", "uuid"):
        return {"string"}
    if base in ("date", "datetime", "datetime2", "smalldatetime", "datetimeoffset", "timestamp", "timestamp with time zone", "time"):
        return {"dateTime"}
    if base in ("bit", "boolean", "bool"):
        return {"boolean"}
    if base in ("varbinary", "binary", "blob", "image"):
        return {"binary"}
    return set()


def _decimal_scale(data_type: str, scale: object) -> int | None:
    match = re.search(r"\(\s*\d+\s*,\s*(\d+)\s*\)", data_type)
    if match:
        return int(match.group(1))
    try:
        return int(scale)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def warehouse_columns(engine) -> dict[tuple[str, str], dict[str, tuple[str, object]]]:
    """{(schema, object): {column: (data type, numeric scale)}} of every table and view, read from
    INFORMATION_SCHEMA.COLUMNS (the same query on SQL Server and on DuckDB), names lower case."""
    frame = engine.query(
        "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, NUMERIC_SCALE FROM INFORMATION_SCHEMA.COLUMNS ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION"
    )
    frame.columns = [str(c).lower() for c in frame.columns]
    catalog: dict[tuple[str, str], dict[str, tuple[str, object]]] = {}
    for row in frame.itertuples(index=False):
        key = (str(row.table_schema).lower(), str(row.table_name).lower())
        catalog.setdefault(key, {})[str(row.column_name).lower()] = (str(row.data_type), row.numeric_scale)
    return catalog


def compare_with_warehouse(model: SemanticModel | str | Path, engine) -> list[str]:
    """Hold the model against the warehouse behind `engine` (deployed): every partition's source
    object exists, every column's sourceColumn exists there with a type the column's dataType can
    hold, and every warehouse column of the object except lineage (LINEAGE_COLUMNS) is in the
    model - so renaming or adding a warehouse column fails here until the model follows."""
    if not isinstance(model, SemanticModel):
        model = read_model(model)
    catalog = warehouse_columns(engine)
    problems = []
    for table in model.tables.values():
        for partition in table.partitions:
            source = partition.source_object
            where = partition.expression_location or partition.location
            if source is None:
                problems.append(f"{where}: {table.name}: the partition names no warehouse object")
                continue
            schema, item = source
            columns = catalog.get((schema.lower(), item.lower()))
            if columns is None:
                problems.append(f"{where}: {table.name} reads {schema}.{item}, which is not in the warehouse")
                continue
            read = set()
            for column in table.columns.values():
                if not column.source_column:
                    continue
                read.add(column.source_column.lower())
                found = columns.get(column.source_column.lower())
                if found is None:
                    problems.append(f"{column.location}: {table.name}[{column.name}] reads {column.source_column}, which {schema}.{item} does not have")
                    continue
                allowed = _compatible_types(*found)
                if column.data_type not in allowed:
                    problems.append(
                        f"{column.location}: {table.name}[{column.name}] is {column.data_type} but {schema}.{item}.{column.source_column} is {found[0]}"
                        f" (expected {' or '.join(sorted(allowed)) or 'a supported type'})"
                    )
            for missing in [c for c in columns if c not in read and c not in LINEAGE_COLUMNS]:
                problems.append(f"{table.location}: {schema}.{item}.{missing} is not in the model table {table.name} (add the column, or list it in LINEAGE_COLUMNS if it is lineage)")
    return problems
