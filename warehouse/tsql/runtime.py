"""Run parsed T-SQL procedures on a DuckDB session.

`compile_procedure` translates every statement and expression of a procedure once (this is
also how deploy and the static gate validate it); `Runtime.call` then walks the control flow,
keeping variables in Python and binding them to each statement as DuckDB parameters.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd
from sqlglot import exp

from warehouse.errors import ParameterError, ProcedureError, SqlRefused, UsageError
from warehouse.results import ProcedureResult, frame_from_cursor
from warehouse.tsql.nodes import (
    Declare,
    Exec,
    If,
    Node,
    Procedure,
    Return,
    SelectAssign,
    SetOption,
    SetVariable,
    Sql,
    Throw,
    Transaction,
    TryCatch,
)
from warehouse.tsql.session import Session
from warehouse.tsql.translate import TRANCOUNT, Translated, Translator

log = logging.getLogger(__name__)
_INT = exp.DataType.build("INT", dialect="tsql")
_MESSAGE = exp.DataType.build("NVARCHAR(2048)", dialect="tsql")


@dataclass
class CompiledProcedure:
    procedure: Procedure
    translations: dict[int, object]  # id(node or parameter) -> Translated, or what the node needs
    conversions: dict[str, str]  # parameter name -> DuckDB SQL casting `$value` to its type
    statements: list[tuple[int, Translated]]  # every translation with its line, for the static gate


def compile_procedure(procedure: Procedure, translator: Translator) -> CompiledProcedure:
    """Translate every statement and expression; raises SqlRefused with the line on failure."""
    types = {p.name: p.type for p in procedure.parameters}
    translations: dict[int, object] = {}
    statements: list[tuple[int, Translated]] = []

    def kept(line: int, translated: Translated) -> Translated:
        statements.append((line, translated))
        return translated

    conversions = {p.name: translator.conversion(p.type, p.line) for p in procedure.parameters}
    for parameter in procedure.parameters:
        if parameter.default is not None:
            translations[id(parameter)] = kept(parameter.line, translator.expression(parameter.default, parameter.line, {}, parameter.type))

    def expression(text: str, line: int, as_type: exp.DataType | None = None) -> Translated:
        return kept(line, translator.expression(text, line, types, as_type))

    def walk(nodes: tuple[Node, ...]) -> None:
        for node in nodes:
            if isinstance(node, Declare):
                if node.name in types:
                    raise SqlRefused(f"The variable name '@{node.name}' has already been declared.", line=node.line)
                types[node.name] = node.type
                if node.value is not None:
                    translations[id(node)] = expression(node.value, node.line, node.type)
            elif isinstance(node, SetVariable):
                if node.name not in types:
                    raise SqlRefused(f"Must declare the scalar variable @{node.name}.", line=node.line, instead=f"DECLARE @{node.name} <type>;")
                translations[id(node)] = expression(node.value, node.line, types[node.name])
            elif isinstance(node, Sql):
                translations[id(node)] = kept(node.line, translator.statement(node.text, node.line, types))
            elif isinstance(node, SelectAssign):
                statement, targets = translator.assignment(node.text, node.line, types)
                translations[id(node)] = (kept(node.line, statement), targets)
            elif isinstance(node, If):
                translations[id(node)] = expression(f"CASE WHEN {node.condition} THEN 1 ELSE 0 END", node.line, _INT)
                walk(node.then)
                walk(node.otherwise)
            elif isinstance(node, TryCatch):
                walk(node.body)
                walk(node.handler)
            elif isinstance(node, Return) and node.value is not None:
                translations[id(node)] = expression(node.value, node.line, _INT)
            elif isinstance(node, Throw) and node.number is not None:
                translations[id(node)] = (expression(node.number, node.line, _INT), expression(node.message, node.line, _MESSAGE))
            elif isinstance(node, Exec) and not node.server_only:
                translations[id(node)] = [(name, expression(value, node.line)) for name, value in node.arguments]

    walk(procedure.body)
    return CompiledProcedure(procedure, translations, conversions, statements)


class _Returned(Exception):
    def __init__(self, code: int):
        self.code = code


class _Frame:
    """One procedure call: its variables and the result sets it produced."""

    def __init__(self, compiled: CompiledProcedure):
        self.compiled = compiled
        self.values: dict[str, object] = {}
        self.result_sets: list[pd.DataFrame] = []
        self.caught: ProcedureError | None = None

    @property
    def name(self) -> str:
        return self.compiled.procedure.name


class Runtime:
    def __init__(self, session: Session, load: Callable[[str], CompiledProcedure]):
        self.session = session
        self.load = load  # procedure name -> compiled procedure; raises UnknownProcedure

    def call(self, name: str, arguments: Mapping[str, object]) -> ProcedureResult:
        compiled = self.load(name)
        frame = _Frame(compiled)
        self._bind_arguments(frame, arguments)
        trancount_before = self.session.trancount
        try:
            self._run(frame, compiled.procedure.body)
            code = 0
        except _Returned as returned:
            code = returned.code
        if self.session.trancount != trancount_before:
            raise ProcedureError(
                "Transaction count after EXECUTE indicates a mismatching number of BEGIN and COMMIT statements. "
                f"Previous count = {trancount_before}, current count = {self.session.trancount}.",
                266,
                frame.name,
            )
        return ProcedureResult(code, frame.result_sets)

    # -- arguments ---------------------------------------------------------------------------
    def _bind_arguments(self, frame: _Frame, arguments: Mapping[str, object]) -> None:
        procedure = frame.compiled.procedure
        given = {name.lstrip("@").lower(): value for name, value in arguments.items()}
        unknown = sorted(set(given) - {p.name for p in procedure.parameters})
        if unknown:
            raise ParameterError(f"@{unknown[0]} is not a parameter for procedure {procedure.name}.")
        for parameter in procedure.parameters:
            if parameter.name in given:
                conversion = frame.compiled.conversions[parameter.name]
                try:
                    value = self.session.run(conversion, {"value": given[parameter.name]}).fetchone()[0]
                except (ProcedureError, UsageError) as error:
                    raise ParameterError(f"@{parameter.name} of {procedure.name}: {error}") from None
            elif parameter.default is not None:
                value = self._evaluate(frame, frame.compiled.translations[id(parameter)])
            else:
                raise ParameterError(f"Procedure or function '{procedure.name}' expects parameter '@{parameter.name}', which was not supplied.")
            frame.values[parameter.name] = value

    # -- statements --------------------------------------------------------------------------
    def _run(self, frame: _Frame, nodes: tuple[Node, ...]) -> None:
        for node in nodes:
            self._run_node(frame, node)

    def _run_node(self, frame: _Frame, node: Node) -> None:
        translated = frame.compiled.translations.get(id(node))
        if isinstance(node, SetOption):
            return
        if isinstance(node, Declare):
            frame.values[node.name] = self._evaluate(frame, translated) if translated else None
        elif isinstance(node, SetVariable):
            frame.values[node.name] = self._evaluate(frame, translated)
        elif isinstance(node, Sql):
            cursor = self._execute(frame, translated)
            if translated.returns_rows:
                frame.result_sets.append(frame_from_cursor(cursor))
        elif isinstance(node, SelectAssign):
            statement, targets = translated
            rows = self._execute(frame, statement).fetchall()
            if rows:  # T-SQL keeps the last row's values
                frame.values.update(zip(targets, rows[-1], strict=True))
        elif isinstance(node, If):
            self._run(frame, node.then if self._evaluate(frame, translated) == 1 else node.otherwise)
        elif isinstance(node, TryCatch):
            self._try_catch(frame, node)
        elif isinstance(node, Transaction):
            getattr(self.session, node.action)()
        elif isinstance(node, Return):
            raise _Returned(self._evaluate(frame, translated) if translated else 0)
        elif isinstance(node, Throw):
            self._throw(frame, node, translated)
        elif isinstance(node, Exec):
            self._exec(frame, node, translated)

    def _try_catch(self, frame: _Frame, node: TryCatch) -> None:
        try:
            self._run(frame, node.body)
        except ProcedureError as error:
            self.session.abort()
            frame.caught = error
            self._run(frame, node.handler)

    def _throw(self, frame: _Frame, node: Throw, translated) -> None:
        if translated is None:  # THROW; re-raises the error the CATCH block caught
            if frame.caught is None:
                raise ProcedureError("THROW without parameters should be executed inside a CATCH block.", 10704, frame.name)
            raise frame.caught
        number = self._evaluate(frame, translated[0])
        if number is None or number < 50000:
            raise ProcedureError(f"Error number {number} in the THROW statement is outside the valid range (50000 and up).", 35100, frame.name)
        self.session.abort()
        raise ProcedureError(self._evaluate(frame, translated[1]), number, frame.name)

    def _exec(self, frame: _Frame, node: Exec, arguments) -> None:
        if node.server_only:
            log.debug("skipped SQL-Server-only EXEC %s at line %d of %s", node.procedure, node.line, frame.name)
            code = 0
        else:
            values = {name: self._evaluate(frame, expression) for name, expression in arguments}
            result = self.call(node.procedure, values)
            frame.result_sets.extend(result.result_sets)
            code = result.return_code
        if node.return_variable is not None:
            frame.values[node.return_variable] = code

    # -- DuckDB ------------------------------------------------------------------------------
    def _execute(self, frame: _Frame, translated: Translated):
        parameters = {name: self._value(frame, name) for name in translated.parameters}
        try:
            return self.session.run(translated.sql, parameters)
        except ProcedureError as error:
            raise ProcedureError(error.message, error.number, frame.name) from error

    def _evaluate(self, frame: _Frame, translated: Translated):
        return self._execute(frame, translated).fetchone()[0]

    def _value(self, frame: _Frame, name: str):
        return self.session.trancount if name == TRANCOUNT else frame.values.get(name)
