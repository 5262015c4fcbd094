"""Structural parser for the procedure template of the T-SQL subset.

sqlglot cannot parse procedure bodies (IF swallows later statements, TRY/CATCH become raw
commands), so this parser finds the control flow - header and typed parameters, BEGIN/END,
IF/ELSE, the fixed TRY/CATCH, DECLARE/SET/SELECT @v =, RETURN, THROW, EXEC - and leaves every
expression and SQL statement as original text for `translate.py`.
"""

from __future__ import annotations

from warehouse.errors import SqlRefused
from warehouse.tsql import nodes as tree
from warehouse.tsql.batches import SqlBatch
from warehouse.tsql.nodes import Node, Parameter, Procedure, variable_name
from warehouse.tsql.subset import check_tokens
from warehouse.tsql.tokens import Kind, Token, tokenize
from warehouse.tsql.types import parse_type

CATCH_TEMPLATE = "BEGIN CATCH IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION; THROW; END CATCH;"
_CATCH_TEMPLATE_WORDS = [t.upper for t in tokenize(CATCH_TEMPLATE)]
HEADER_TEMPLATE = "AS BEGIN SET NOCOUNT ON; SET XACT_ABORT ON; ... END"
SQL_STATEMENTS = {"SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "WITH"}
_STATEMENT_STARTS = SQL_STATEMENTS | {
    "BEGIN",
    "SET",
    "DECLARE",
    "RETURN",
    "THROW",
    "EXEC",
    "EXECUTE",
    "ROLLBACK",
    "COMMIT",
    "IF",
}
# Keywords that can only start a statement: meeting one inside a statement means a missing `;`.
_NEVER_INSIDE_A_STATEMENT = {"BEGIN", "IF", "ELSE", "DECLARE", "RETURN", "THROW", "EXEC", "EXECUTE", "COMMIT", "ROLLBACK"}


def is_procedure(batch: SqlBatch) -> bool:
    words = [t.upper for t in batch.tokens[:4]]
    return len(words) >= 2 and words[0] in ("CREATE", "ALTER") and ("PROCEDURE" in words or "PROC" in words)


def parse_procedure(batch: SqlBatch) -> Procedure:
    check_tokens(batch.tokens)  # refusals first: they say what to write instead
    return _Parser(batch).procedure()


class _Parser:
    def __init__(self, batch: SqlBatch):
        self.batch, self.tokens, self.position = batch, batch.tokens, 0
        self.end = Token(Kind.SYMBOL, "<end of batch>", batch.tokens[-1].line, -1, -1)

    # -- token helpers ---------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Token:
        index = self.position + ahead
        return self.tokens[index] if index < len(self.tokens) else self.end

    def more(self) -> bool:
        return self.position < len(self.tokens)

    def next(self) -> Token:
        token = self.peek()
        if token is self.end:
            raise SqlRefused("unexpected end of the procedure (missing END?)", line=token.line, instead=HEADER_TEMPLATE)
        self.position += 1
        return token

    def expect_word(self, *words: str, instead: str = "") -> Token:
        token = self.next()
        if not token.is_word(*words):
            raise SqlRefused(f"expected {' or '.join(words)}, found {token.text!r}", line=token.line, instead=instead)
        return token

    def expect_semicolon(self, after: str) -> None:
        token = self.peek()
        if not token.is_symbol(";"):
            raise SqlRefused(f"missing ';' after {after}", line=token.line, instead="end every statement with ';'")
        self.position += 1

    def text(self, first: Token, last: Token) -> str:
        return self.batch.source(first, last)

    def name(self) -> str:
        parts = [self._name_part(self.next())]
        while self.peek().is_symbol("."):
            self.position += 1
            parts.append(self._name_part(self.next()))
        return ".".join(parts)

    @staticmethod
    def _name_part(token: Token) -> str:
        if token.kind is Kind.QUOTED:
            return token.text[1:-1]
        if token.kind is not Kind.WORD:
            raise SqlRefused(f"expected a name, found {token.text!r}", line=token.line)
        return token.text

    def until(self, stop, *, what: str) -> tuple[Token, Token]:
        """Consume tokens up to (not including) the first one at parenthesis depth 0 for which
        `stop(token)` is true; return the first and last consumed token."""
        start, depth = self.position, 0
        while self.more() and not (depth == 0 and stop(self.peek())):
            depth += self.peek().is_symbol("(") - self.peek().is_symbol(")")
            self.position += 1
        if self.position == start:
            raise SqlRefused(f"missing {what}", line=self.peek().line)
        return self.tokens[start], self.tokens[self.position - 1]

    # -- procedure -------------------------------------------------------------------------
    def procedure(self) -> Procedure:
        create = self.next()
        if not (create.is_word("CREATE") and self.peek().is_word("OR") and self.peek(1).is_word("ALTER")):
            raise SqlRefused(
                "a procedure must be created with CREATE OR ALTER (re-deployable)",
                line=create.line,
                instead="CREATE OR ALTER PROCEDURE schema.Name",
            )
        self.position += 2
        self.expect_word("PROCEDURE", "PROC")
        name = self.name()
        if "." not in name:
            raise SqlRefused(f"procedure {name} has no schema", line=create.line, instead="CREATE OR ALTER PROCEDURE schema.Name")
        parameters = self.parameters()
        self.expect_word("AS", instead=HEADER_TEMPLATE)
        begin = self.expect_word("BEGIN", instead=HEADER_TEMPLATE)
        body = self.statements(until=lambda t: t.is_word("END"))
        self.expect_word("END")
        if self.peek().is_symbol(";"):
            self.position += 1
        if self.more():
            token = self.peek()
            raise SqlRefused(f"{token.text!r} after the procedure's END", line=token.line, instead="one object per GO batch")
        options = [node.option for node in body[:2] if isinstance(node, tree.SetOption)]
        if options != ["NOCOUNT", "XACT_ABORT"]:
            raise SqlRefused("the procedure body must start with SET NOCOUNT ON; SET XACT_ABORT ON;", line=begin.line, instead=HEADER_TEMPLATE)
        return Procedure(name, tuple(parameters), tuple(body), create.line)

    def parameters(self) -> list[Parameter]:
        parameters: list[Parameter] = []
        parenthesised = self.peek().is_symbol("(")
        if parenthesised:
            self.position += 1
        while (token := self.peek()).kind is Kind.VARIABLE:
            self.position += 1
            first, last = self.until(
                lambda t: t.is_symbol("=") or t.is_symbol(",") or t.is_word("AS") or t.is_symbol(")"), what=f"a type for {token.text}"
            )
            default = None
            if self.peek().is_symbol("="):
                self.position += 1
                value_first, value_last = self.until(
                    lambda t: t.is_symbol(",") or t.is_word("AS") or t.is_symbol(")"), what=f"a default for {token.text}"
                )
                default = self.text(value_first, value_last)
            parameters.append(Parameter(variable_name(token.text), parse_type(self.text(first, last), token.line), default, token.line))
            if self.peek().is_symbol(","):
                self.position += 1
        if parenthesised:
            if not self.next().is_symbol(")"):
                raise SqlRefused("expected ')' after the parameters", line=self.peek(-1).line)
        return parameters

    # -- statements ------------------------------------------------------------------------
    def statements(self, until) -> list[Node]:
        nodes: list[Node] = []
        while self.more() and not until(self.peek()):
            nodes.extend(self.statement())
        return nodes

    def statement(self) -> list[Node]:
        token = self.peek()
        word = token.upper if token.kind is Kind.WORD else None
        if token.is_symbol(";"):
            self.position += 1
            return []
        if word == "BEGIN":
            following = self.peek(1)
            if following.is_word("TRY"):
                return [self.try_catch()]
            if following.is_word("TRAN", "TRANSACTION"):
                self.position += 2
                self.expect_semicolon("BEGIN TRANSACTION")
                return [tree.Transaction(token.line, "begin")]
            self.position += 1
            nodes = self.statements(until=lambda t: t.is_word("END"))
            self.expect_word("END")
            return nodes
        if word in ("COMMIT", "ROLLBACK"):
            self.position += 1
            if self.peek().is_word("TRAN", "TRANSACTION"):
                self.position += 1
            self.expect_semicolon(f"{word} TRANSACTION")
            return [tree.Transaction(token.line, word.lower())]
        parse = {
            "IF": self.if_,
            "DECLARE": self.declare,
            "SET": self.set_,
            "RETURN": self.return_,
            "THROW": self.throw,
            "EXEC": self.exec_,
            "EXECUTE": self.exec_,
        }.get(word)
        if parse is not None:
            return parse()
        if word in SQL_STATEMENTS:
            return [self.sql()]
        raise SqlRefused(
            f"unexpected {token.text!r} at the start of a statement", line=token.line, instead="a statement of the subset, ended with ';'"
        )

    def sql(self) -> Node:
        first, depth, case_depth = self.peek(), 0, 0
        while self.more() and not (depth == 0 and self.peek().is_symbol(";")):
            token = self.peek()
            if token.is_word("CASE"):
                case_depth += 1
            elif token.is_word("END") and case_depth:
                case_depth -= 1
            elif depth == 0 and not case_depth and token.kind is Kind.WORD and token.upper in _NEVER_INSIDE_A_STATEMENT:
                raise SqlRefused(f"missing ';' before {token.text!r}", line=token.line, instead="end every statement with ';'")
            depth += token.is_symbol("(") - token.is_symbol(")")
            self.position += 1
        last = self.tokens[self.position - 1]
        self.expect_semicolon(f"the statement starting at line {first.line}")
        text = self.text(first, last)
        assigns = first.is_word("SELECT") and self._assigns_variables(first)
        return (tree.SelectAssign if assigns else tree.Sql)(first.line, text)

    def _assigns_variables(self, select: Token) -> bool:
        index = self.tokens.index(select)
        return index + 2 < len(self.tokens) and self.tokens[index + 1].kind is Kind.VARIABLE and self.tokens[index + 2].is_symbol("=")

    def if_(self) -> list[Node]:
        keyword = self.next()
        first, last = self.until(lambda t: t.kind is Kind.WORD and t.upper in _STATEMENT_STARTS, what="a condition after IF")
        then = self.statement()
        otherwise: list[Node] = []
        if self.peek().is_word("ELSE"):
            self.position += 1
            otherwise = self.statement()
        return [tree.If(keyword.line, self.text(first, last), tuple(then), tuple(otherwise))]

    def try_catch(self) -> Node:
        begin = self.next()
        self.position += 1  # TRY
        body = self.statements(until=lambda t: t.is_word("END") and self.peek(1).is_word("TRY"))
        self.expect_word("END")
        self.expect_word("TRY")
        catch_start = self.position
        self.expect_word("BEGIN", instead=CATCH_TEMPLATE)
        self.expect_word("CATCH", instead=CATCH_TEMPLATE)
        handler = self.statements(until=lambda t: t.is_word("END") and self.peek(1).is_word("CATCH"))
        self.expect_word("END")
        self.expect_word("CATCH")
        if self.peek().is_symbol(";"):
            self.position += 1
        written = [t.upper for t in self.tokens[catch_start : self.position]]
        if written + [";"] * (written[-1:] != [";"]) != _CATCH_TEMPLATE_WORDS:
            raise SqlRefused("the CATCH block differs from the fixed template", line=self.tokens[catch_start].line, instead=CATCH_TEMPLATE)
        return tree.TryCatch(begin.line, tuple(body), tuple(handler))

    def declare(self) -> list[Node]:
        self.next()
        nodes: list[Node] = []
        while True:
            variable = self.next()
            if variable.kind is not Kind.VARIABLE:
                raise SqlRefused(f"expected a @variable after DECLARE, found {variable.text!r}", line=variable.line)
            if self.peek().is_word("TABLE"):
                raise SqlRefused("table variables are outside the T-SQL subset", line=variable.line, instead="a stg.* table or a CTE")
            first, last = self.until(lambda t: t.is_symbol("=") or t.is_symbol(",") or t.is_symbol(";"), what=f"a type for {variable.text}")
            value = None
            if self.peek().is_symbol("="):
                self.position += 1
                value_first, value_last = self.until(lambda t: t.is_symbol(",") or t.is_symbol(";"), what=f"a value for {variable.text}")
                value = self.text(value_first, value_last)
            nodes.append(tree.Declare(variable.line, variable_name(variable.text), parse_type(self.text(first, last), variable.line), value))
            if not self.peek().is_symbol(","):
                break
            self.position += 1
        self.expect_semicolon("DECLARE")
        return nodes

    def set_(self) -> list[Node]:
        keyword = self.next()
        target = self.next()
        if target.kind is Kind.WORD and target.upper in ("NOCOUNT", "XACT_ABORT"):
            self.expect_word("ON", instead=f"SET {target.upper} ON;")
            self.expect_semicolon(f"SET {target.upper} ON")
            return [tree.SetOption(keyword.line, target.upper)]
        if target.kind is not Kind.VARIABLE:
            raise SqlRefused(
                f"SET {target.text} is outside the T-SQL subset",
                line=keyword.line,
                instead="SET NOCOUNT ON; SET XACT_ABORT ON; or SET @variable = expression;",
            )
        operator = self.next()
        if not operator.is_symbol("="):
            raise SqlRefused(f"expected '=' after SET {target.text}", line=operator.line, instead=f"SET {target.text} = expression;")
        first, last = self.until(lambda t: t.is_symbol(";"), what=f"a value for {target.text}")
        self.expect_semicolon(f"SET {target.text}")
        return [tree.SetVariable(keyword.line, variable_name(target.text), self.text(first, last))]

    def return_(self) -> list[Node]:
        keyword = self.next()
        value = None
        if not self.peek().is_symbol(";"):
            first, last = self.until(lambda t: t.is_symbol(";"), what="a return value")
            value = self.text(first, last)
        self.expect_semicolon("RETURN")
        return [tree.Return(keyword.line, value)]

    def throw(self) -> list[Node]:
        keyword = self.next()
        if self.peek().is_symbol(";"):
            self.position += 1
            return [tree.Throw(keyword.line)]
        arguments = []
        for position in range(3):
            first, last = self.until(lambda t: t.is_symbol(",") or t.is_symbol(";"), what="THROW number, message, state")
            arguments.append(self.text(first, last))
            if position < 2 and not self.next().is_symbol(","):
                raise SqlRefused("THROW needs a number, a message and a state", line=keyword.line, instead="THROW 50001, N'message', 1;")
        self.expect_semicolon("THROW")
        return [tree.Throw(keyword.line, *arguments)]

    def exec_(self) -> list[Node]:
        keyword = self.next()
        return_variable = None
        if self.peek().kind is Kind.VARIABLE and self.peek(1).is_symbol("="):
            return_variable = variable_name(self.next().text)
            self.position += 1
        procedure = self.name()
        arguments: list[tuple[str, str]] = []
        while not self.peek().is_symbol(";"):
            parameter = self.next()
            if parameter.kind is not Kind.VARIABLE or not self.next().is_symbol("="):
                raise SqlRefused(f"EXEC {procedure}: arguments must be named", line=parameter.line, instead=f"EXEC {procedure} @parameter = value;")
            first, last = self.until(lambda t: t.is_symbol(",") or t.is_symbol(";"), what=f"a value for {parameter.text}")
            arguments.append((variable_name(parameter.text), self.text(first, last)))
            if self.peek().is_symbol(","):
                self.position += 1
        self.expect_semicolon(f"EXEC {procedure}")
        return [tree.Exec(keyword.line, procedure, tuple(arguments), return_variable)]
