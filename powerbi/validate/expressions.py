"""The DAX and M expressions of the semantic model: each parses as one whole expression, and
every table, column and measure a DAX expression names exists.

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
from collections.abc import Iterable, Iterator

from powerbi.validate.problem import Location, model_check
from powerbi.validate.tmdl_objects import SemanticModel

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


def _at_offset(location: Location, text: str, offset: int) -> Location:
    """Where the character at `offset` of an expression starting at `location` is (its line)."""
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
@model_check
def check_m(model: SemanticModel) -> Iterator[tuple[Location, str]]:
    """Every partition source and shared expression is one complete M expression."""
    items = [
        (f"partition {p.name} of {t.name}", p.expression, p.expression_location) for t in model.tables.values() for p in t.partitions if p.expression
    ]
    items += [(f"expression {e.name}", e.expression, e.expression_location) for e in model.expressions.values()]
    for what, text, location in items:
        error = m_syntax_error(text)
        if error:
            message, offset = error
            yield _at_offset(location, text, offset), f"{what}: M {message}"


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


@model_check
def check_dax(model: SemanticModel) -> Iterator[tuple[Location, str]]:
    """Every measure, calculated column and row filter is one complete DAX expression."""
    for what, text, location, _ in _dax_items(model):
        error = dax_syntax_error(text)
        if error:
            message, offset = error
            yield _at_offset(location, text, offset), f"{what}: DAX {message}"


@model_check
def check_references(model: SemanticModel) -> Iterator[tuple[Location, str]]:
    """Every 'Table'[Column], [Measure] and 'Table' a measure or row filter names exists.
    An unqualified [X] must be a measure, or a column of the home table or of a table the
    expression names (a row context)."""
    all_measures = {name for table in model.tables.values() for name in table.measures}
    for what, text, location, home in _dax_items(model):
        references = dax_references(text)
        tables_named = {table for table, _, _ in references if table}
        for table_name, name, offset in references:
            where = _at_offset(location, text, offset)
            if table_name is not None:
                table = model.tables.get(table_name)
                if table is None:
                    yield where, f"{what}: no table {table_name!r}"
                elif name is not None and name not in table.columns and name not in table.measures:
                    yield where, f"{what}: {table_name!r}[{name}] - {table_name} has no column or measure {name!r}"
                continue
            if name in all_measures:
                continue
            in_context = [model.tables[t] for t in {home, *tables_named} if t in model.tables]
            if not any(name in table.columns for table in in_context):
                yield where, f"{what}: [{name}] is neither a measure nor a column of {sorted(t.name for t in in_context)}"
