"""The adapter's pieces on their own: batches, the procedure parser, translation."""

from __future__ import annotations

import pytest

import warehouse
from warehouse.errors import SqlRefused
from warehouse.mssql_engine import _positional
from warehouse.tsql.batches import split_batches
from warehouse.tsql.nodes import If, Sql, TryCatch
from warehouse.tsql.procedure import parse_procedure
from warehouse.tsql.runtime import compile_procedure
from warehouse.tsql.translate import Translator
from warehouse.tsql.types import parse_type

PROCEDURE = """CREATE OR ALTER PROCEDURE demo.Example
    @code NVARCHAR(20) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    IF @code IS NULL SET @code = N'none';
    BEGIN TRY
        BEGIN TRANSACTION;
        SELECT @code AS code;
        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;
    RETURN 0;
END;
"""


def test_go_splits_batches_but_not_inside_strings_or_comments():
    text = "SELECT 'GO\nGO' AS a;\n/* GO\nGO */\nGO\nSELECT 2 AS b;\n  go  \n"
    batches = split_batches(text)
    assert [b.line for b in batches] == [1, 6]
    assert batches[0].text.startswith("SELECT 'GO\nGO' AS a;") and batches[1].text == "SELECT 2 AS b;"


def test_the_procedure_template_parses_into_control_flow():
    procedure = parse_procedure(split_batches(PROCEDURE)[0])
    assert procedure.name == "demo.Example"
    assert [(p.name, p.type.sql("tsql"), p.default) for p in procedure.parameters] == [("code", "NVARCHAR(20)", "NULL")]
    kinds = [type(node).__name__ for node in procedure.body]
    assert kinds == ["SetOption", "SetOption", "If", "TryCatch", "Return"]
    condition = procedure.body[2]
    assert isinstance(condition, If) and condition.condition == "@code IS NULL"
    try_catch = procedure.body[3]
    assert isinstance(try_catch, TryCatch) and isinstance(try_catch.body[1], Sql)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("CREATE OR ALTER PROCEDURE", "CREATE PROCEDURE"), "CREATE OR ALTER"),
        (("    SET XACT_ABORT ON;\n", ""), "SET XACT_ABORT ON"),
        (("        THROW;\n    END CATCH", "    END CATCH"), "CATCH block differs"),
        (("SELECT @code AS code;", "SELECT @code AS code"), "missing ';'"),
    ],
)
def test_departures_from_the_template_are_refused_with_a_line(change, problem):
    with pytest.raises(SqlRefused, match=problem) as raised:
        parse_procedure(split_batches(PROCEDURE.replace(*change))[0])
    assert raised.value.line is not None


def test_an_undeclared_variable_is_refused_when_the_procedure_is_compiled():
    procedure = parse_procedure(split_batches(PROCEDURE.replace("SET @code = N'none';", "SET @missing = N'none';"))[0])
    with pytest.raises(SqlRefused, match="Must declare the scalar variable @missing") as raised:
        compile_procedure(procedure, Translator({}))
    assert raised.value.line == 7


@pytest.mark.parametrize(
    ("sql", "line", "where"),
    [
        ("SELECT * FROM etl.batch WHERE", 1, "it ends after 'WHERE', which needs more"),
        ("SELECT *\nFROM etl.batch\nWHERE status = N'x' AND", 3, "it ends after 'AND', which needs more"),
        ("SELECT (1 AS x", 1, "')' expected after 'x'"),
        ("SELECT 1 AS x FROM", 1, "table name expected after 'FROM'"),
        ("SELECT TOP FROM etl.batch", 1, "something is missing near 'FROM'"),
        ("UPDATE SET x = 1", 1, "near '='"),
    ],
)
def test_a_statement_that_does_not_parse_says_where_in_plain_words(sql, line, where):
    with pytest.raises(SqlRefused) as raised:
        Translator({}).statement(sql)
    message = str(raised.value)
    assert message.startswith(f"line {line}: the statement could not be parsed: {where}; check that every clause is complete")
    assert raised.value.line == line
    assert "<" not in message and "sqlglot" not in message and "Required keyword" not in message


def test_values_are_bound_never_spliced_into_the_sql_text():
    translated = Translator({}).statement("SELECT @note AS note WHERE @note LIKE N'x%';", 1, {"note": parse_type("NVARCHAR(400)")})
    assert translated.parameters == ("note",)
    assert "$note" in translated.sql and "ILIKE" in translated.sql


def test_a_division_of_unknown_types_is_refused_rather_than_guessed():
    with pytest.raises(SqlRefused, match="CAST one operand"):
        Translator({}).statement("SELECT t.a / t.b AS ratio FROM demo.unknown_table AS t;")


def test_sql_server_query_parameters_become_positional_markers_outside_strings():
    text, values = _positional("SELECT @id AS id, N'@id' AS literal, @@TRANCOUNT AS t WHERE x = @ID;", {"id": 5})
    assert text == "SELECT ? AS id, N'@id' AS literal, @@TRANCOUNT AS t WHERE x = ?;"
    assert values == [5, 5]


def test_sql_server_connection_failures_are_connect_errors():
    with pytest.raises(warehouse.ConnectError, match="cannot connect to SQL Server"):
        warehouse.connect("mssql+pyodbc://user:secret@127.0.0.1:1/master?driver=ODBC+Driver+18+for+SQL+Server&LoginTimeout=1")
