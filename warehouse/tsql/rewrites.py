"""AST rewrites that make a T-SQL statement mean on DuckDB what it means on SQL Server.

`rewrite_syntax` needs no types (recursive CTEs, MERGE targets, LIKE, CONVERT, DDL details);
`rewrite_typed` runs after typing and fixes the traps of tsql-on-duckdb.md: integer and
decimal division, AVG of integers, CAST to an integer, string `+`, DATEADD's result type,
DATEDIFF(week) and trailing spaces in string comparisons.
"""

from __future__ import annotations

from sqlglot import exp

from warehouse.errors import SqlRefused
from warehouse.tsql.types import duckdb_type
from warehouse.tsql.typing import (
    DECIMAL_TYPES,
    FLOAT_TYPES,
    INTEGER_TYPES,
    STRING_TYPES,
    Types,
    decimal_shape,
    is_kind,
)

T = exp.DataType.Type
_CONVERT_STYLES = {23: "%Y-%m-%d", 112: "%Y%m%d", 120: "%Y-%m-%d %H:%M:%S"}
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


def _call(name: str, *arguments: exp.Expression) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(arguments))


# -- rewrites that need no types ---------------------------------------------------------------


def map_types(tree: exp.Expression, line: int) -> None:
    """Every T-SQL type becomes its DuckDB type (or is refused); string lengths are kept in
    `meta` because CAST(x AS NVARCHAR(5)) truncates on SQL Server."""
    for data_type in list(tree.find_all(exp.DataType)):
        if isinstance(data_type.parent, exp.DataType) or data_type.this == T.UNKNOWN:
            continue
        mapped = duckdb_type(data_type, line)
        params = [p.sql() for p in data_type.expressions]
        if data_type.this in STRING_TYPES and params and params[0].isdigit():
            mapped.meta["length"] = int(params[0])
        data_type.replace(mapped)


def rewrite_syntax(tree: exp.Expression, line: int) -> exp.Expression:
    for node in list(tree.walk()):
        if isinstance(node, exp.With):
            _mark_recursive(node)
        elif isinstance(node, exp.Merge):
            _unqualify_merge_targets(node)
        elif isinstance(node, exp.Like):
            _refuse_character_classes(node, line)
            # default collation is case-insensitive; keep every argument (negate: NOT LIKE)
            node.replace(exp.ILike(**{name: value for name, value in node.args.items() if value is not None}))
        elif isinstance(node, exp.Length):
            node.set("this", _call("rtrim", node.this.copy()))  # LEN() ignores trailing spaces
        elif isinstance(node, exp.National):
            node.replace(exp.Literal.string(node.this))
        elif isinstance(node, exp.Anonymous) and node.name.upper() == "SYSUTCDATETIME":
            # a DATETIME2 in UTC, without the ICU extension's time zones; inline, so table defaults work anywhere
            node.replace(_call("make_timestamp", _call("epoch_us", _call("get_current_timestamp"))))
        elif isinstance(node, exp.Into):
            raise SqlRefused("SELECT ... INTO", line=line, instead="CREATE TABLE in sql/schema, then INSERT ... SELECT")
        elif isinstance(node, exp.Create):
            _rewrite_create(node, line)
    return tree


def _mark_recursive(with_: exp.With) -> None:
    """SQL Server infers recursion; DuckDB needs WITH RECURSIVE."""
    for cte in with_.expressions:
        if any(table.name.lower() == cte.alias.lower() and not table.db for table in cte.this.find_all(exp.Table)):
            with_.set("recursive", True)


def _unqualify_merge_targets(merge: exp.Merge) -> None:
    """DuckDB rejects `UPDATE SET t.col = ...` in MERGE: drop the qualifier of assigned columns."""
    for when in merge.find_all(exp.When):
        then = when.args.get("then")
        if isinstance(then, exp.Update):
            for assignment in then.expressions:
                if isinstance(assignment.this, exp.Column):
                    assignment.this.set("table", None)
        if isinstance(then, exp.Insert) and isinstance(then.this, exp.Tuple):
            for column in then.this.expressions:
                if isinstance(column, exp.Column):
                    column.set("table", None)


def _refuse_character_classes(like: exp.Like, line: int) -> None:
    pattern = like.expression
    if isinstance(pattern, (exp.Literal, exp.National)) and "[" in pattern.name:
        raise SqlRefused("LIKE with [character classes]", line=line, instead="several LIKE conditions joined with OR")


def _rewrite_create(create: exp.Create, line: int) -> None:
    schema = create.this
    if isinstance(schema, exp.Schema):
        for column in schema.expressions:
            if isinstance(column, exp.ColumnDef):
                _rewrite_column_constraints(column)
        schema.set("expressions", [_plain_table_constraint(item) for item in schema.expressions])
    if create.kind.endswith("INDEX"):
        params = create.this.args.get("params")
        if params is not None and (params.args.get("include") or params.args.get("where")):
            raise SqlRefused("unique index with INCLUDE or WHERE", line=line, instead="a plain UNIQUE index, or a UNIQUE constraint in the table")
        create.set("kind", "INDEX")
        create.set("clustered", None)


def _rewrite_column_constraints(column: exp.ColumnDef) -> None:
    for constraint in column.args.get("constraints") or []:
        kind = constraint.args.get("kind")
        if isinstance(kind, exp.DefaultColumnConstraint):
            constraint.set("this", None)  # DuckDB has no named DEFAULT constraints
        elif isinstance(kind, exp.ComputedColumnConstraint):
            kind.set("persisted", None)  # DuckDB computes virtual columns on read: same values


def _plain_table_constraint(item: exp.Expression) -> exp.Expression:
    """`CONSTRAINT PK_x PRIMARY KEY CLUSTERED (a)` -> `CONSTRAINT PK_x PRIMARY KEY (a)`; the same
    for `UNIQUE [NON]CLUSTERED (a)`. DuckDB has no clustered indexes."""
    if not isinstance(item, exp.Constraint):
        return item
    kinds = {type(part) for part in item.expressions}
    layout = (exp.ClusteredColumnConstraint, exp.NonClusteredColumnConstraint)
    placed = next((part for part in item.expressions if isinstance(part, layout)), None)
    unique = next((part for part in item.expressions if isinstance(part, exp.UniqueColumnConstraint)), None)
    if placed is None and unique is not None and isinstance(unique.this, layout):
        placed = unique.this
    primary_key = next((part for part in item.expressions if isinstance(part, exp.PrimaryKey)), None)
    if placed is None and primary_key is None:
        return item
    # A bare `PRIMARY KEY (a)` parses with ordered columns that DuckDB rejects (`a NULLS FIRST`).
    columns = placed.this if placed is not None else primary_key.expressions
    names = [exp.to_identifier(column.this.name if isinstance(column, exp.Ordered) else column.name) for column in columns]
    if exp.PrimaryKeyColumnConstraint in kinds or primary_key is not None:
        return exp.Constraint(this=item.this, expressions=[exp.PrimaryKey(expressions=names)])
    return exp.Constraint(this=item.this, expressions=[exp.UniqueColumnConstraint(this=exp.Schema(expressions=names))])


# -- rewrites that need types ------------------------------------------------------------------


def rewrite_typed(tree: exp.Expression, types: Types, line: int) -> exp.Expression:
    # Reversed breadth-first order visits every node after all of its descendants, so each
    # rewrite sees its operands already rewritten and typed.
    for node in reversed(list(tree.walk(bfs=True))):
        replacement = _rewrite_node(node, types, line)
        if replacement is not None:
            if node is tree:
                tree = replacement
            else:
                node.replace(replacement)
    return tree


def _rewrite_node(node: exp.Expression, types: Types, line: int) -> exp.Expression | None:
    if isinstance(node, exp.Div):
        return _divide(node, types, line)
    if isinstance(node, exp.Avg):
        return _average(node, types)
    if isinstance(node, exp.Convert):
        return _convert(node, types, line)
    if isinstance(node, exp.Cast) and not isinstance(node.this, exp.Placeholder):
        return _cast(node, types)
    if isinstance(node, exp.Add):
        return _add(node, types, line)
    if isinstance(node, exp.DateAdd):
        return _date_add(node, types)
    if isinstance(node, exp.DateDiff):
        return _date_diff(node)
    if isinstance(node, _COMPARISONS):
        return _compare_without_trailing_spaces(node, types)
    return None


def _typed(node: exp.Expression, data_type: exp.DataType) -> exp.Expression:
    node.type = data_type
    return node


def _divide(node: exp.Div, types: Types, line: int) -> exp.Expression | None:
    left, right = node.this, node.expression
    left_type, right_type = types(left), types(right)
    if is_kind(left_type, FLOAT_TYPES) or is_kind(right_type, FLOAT_TYPES):
        return None  # floating-point division is the same on both engines
    if is_kind(left_type, INTEGER_TYPES) and is_kind(right_type, INTEGER_TYPES):
        wider = left_type if left_type.this == T.BIGINT else right_type
        return _typed(_call("tsql_int_divide", left.copy(), right.copy()), wider)
    if is_kind(left_type, INTEGER_TYPES | DECIMAL_TYPES) and is_kind(right_type, INTEGER_TYPES | DECIMAL_TYPES):
        precision, scale = _decimal_division_shape(decimal_shape(left, left_type), decimal_shape(right, right_type))
        result = exp.DataType.build(f"DECIMAL({precision}, {scale})")
        divided = _call("tsql_decimal_divide", left.copy(), right.copy(), exp.Literal.number(scale))
        return _typed(exp.Cast(this=divided, to=result), result)
    raise SqlRefused(
        f"cannot tell whether {node.sql('tsql')} divides integers (truncating) or decimals",
        line=line,
        instead="CAST one operand to the type you mean, e.g. CAST(a AS DECIMAL(18, 4)) / b",
    )


def _decimal_division_shape(left: tuple[int, int], right: tuple[int, int]) -> tuple[int, int]:
    """SQL Server's result precision and scale for decimal division (documented rules)."""
    (p1, s1), (p2, s2) = left, right
    scale = max(6, s1 + p2 + 1)
    precision = p1 - s1 + s2 + scale
    if precision > 38:
        integral = precision - scale
        scale = min(scale, 38 - integral) if integral < 32 else min(scale, 6)
        precision = 38
    return precision, scale


def _average(node: exp.Avg, types: Types) -> exp.Expression | None:
    """AVG of integers is an integer on SQL Server (truncated)."""
    argument_type = types(node.this)
    if not is_kind(argument_type, INTEGER_TYPES):
        return None
    result = exp.DataType.build("BIGINT" if argument_type.this == T.BIGINT else "INTEGER")
    target = node.parent if isinstance(node.parent, exp.Window) else node
    truncated = exp.Cast(this=_call("trunc", target.copy()), to=result)
    if target is not node:
        target.replace(truncated)
        return None
    return _typed(truncated, result)


def _cast(node: exp.Cast, types: Types) -> exp.Expression | None:
    target = node.to
    source_type = types(node.this)
    if target.this in INTEGER_TYPES and is_kind(source_type, DECIMAL_TYPES | FLOAT_TYPES):
        return _typed(exp.Cast(this=_call("trunc", node.this.copy()), to=target.copy()), target)  # SQL Server truncates
    if target.this in STRING_TYPES and "length" in target.meta and not node.meta.get("length_applied"):
        node.meta["length_applied"] = True
        return _typed(_call("left", node.copy(), exp.Literal.number(target.meta["length"])), target)  # NVARCHAR(n) cuts
    return None


def _convert(node: exp.Convert, types: Types, line: int) -> exp.Expression:
    target, value = node.this, node.expression
    style = node.args.get("style")
    cast = exp.Cast(this=value.copy(), to=target.copy())  # strict: SQL Server fails on bad input, so must we
    if style is None:
        return _cast(cast, types) or _typed(cast, target)
    number = int(style.name)
    if number not in _CONVERT_STYLES:
        raise SqlRefused(f"CONVERT style {number}", line=line, instead=f"one of the styles {sorted(_CONVERT_STYLES)}")
    pattern = exp.Literal.string(_CONVERT_STYLES[number])
    value_type = types(value)
    if target.this in STRING_TYPES and not is_kind(value_type, STRING_TYPES):
        formatted = _call("strftime", value.copy(), pattern)
        return _typed(exp.Cast(this=formatted, to=exp.DataType.build("VARCHAR")), target)
    if target.this in (T.DATE, T.TIMESTAMP) and not is_kind(value_type, {T.DATE, T.TIMESTAMP}):
        return _typed(exp.Cast(this=_call("strptime", value.copy(), pattern), to=target.copy()), target)
    return _typed(cast, target)


def _add(node: exp.Add, types: Types, line: int) -> exp.Expression | None:
    left, right = types(node.this), types(node.expression)
    left_string, right_string = is_kind(left, STRING_TYPES), is_kind(right, STRING_TYPES)
    if left_string and right_string:
        return _typed(exp.DPipe(this=node.this.copy(), expression=node.expression.copy()), exp.DataType.build("VARCHAR"))
    if left_string or right_string:
        raise SqlRefused(
            f"{node.sql('tsql')} mixes a string with a value of another or unknown type",
            line=line,
            instead="CONCAT(a, b) for text, or CAST the string for arithmetic",
        )
    return None


def _date_add(node: exp.DateAdd, types: Types) -> exp.Expression | None:
    """DATEADD returns the type of its date argument; DuckDB's date + interval is a TIMESTAMP."""
    argument_type = types(node.this)
    if is_kind(argument_type, {T.DATE}):
        return _typed(exp.Cast(this=node.copy(), to=exp.DataType.build("DATE")), argument_type)
    return None


def _date_diff(node: exp.DateDiff) -> exp.Expression | None:
    unit = node.args.get("unit")
    if unit is None or unit.name.upper() not in ("WEEK", "WK", "WW"):
        return None

    def unwrap(value: exp.Expression) -> exp.Expression:
        return value.this if isinstance(value, exp.TimeStrToTime) else value

    start, end = unwrap(node.expression), unwrap(node.this)
    return _typed(_call("tsql_datediff_week", start.copy(), end.copy()), exp.DataType.build("INTEGER"))


def _compare_without_trailing_spaces(node: exp.Binary, types: Types) -> exp.Expression | None:
    """SQL Server pads the shorter string with spaces before comparing: 'a' = 'a  ' is true."""
    if node.meta.get("trimmed") or (isinstance(node.parent, exp.Update) and node.arg_key == "expressions"):
        return None  # already rewritten, or an assignment (UPDATE ... SET c = v), not a comparison
    if not (is_kind(types(node.this), STRING_TYPES) and is_kind(types(node.expression), STRING_TYPES)):
        return None

    def trimmed(side: exp.Expression) -> exp.Expression:
        if isinstance(side, exp.Literal) and side.is_string:
            return exp.Literal.string(side.this.rstrip(" "))
        return _call("rtrim", side.copy())

    comparison = type(node)(this=trimmed(node.this), expression=trimmed(node.expression))
    comparison.meta["trimmed"] = True
    return _typed(comparison, exp.DataType.build("BOOLEAN"))
