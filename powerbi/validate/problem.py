"""The one result type of every offline check: a `Problem` in one file of the project, and its `Location`."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Location:
    file: str  # relative to the folder given to read_model, with forward slashes
    line: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"

    def offset(self, lines: int) -> Location:
        """The location `lines` lines further down the same file."""
        return Location(self.file, self.line + lines)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong: the file (relative to the folder checked, with /), where in it and what.

    A JSON file is located by a JSON path (``$`` = the whole document), a text file such as TMDL
    by a 1-based line. Printed, it reads ``file: $.json.path: message`` or ``file:line: message``.
    Problems sort by file, then place (the check that found one does not count).
    """

    file: str
    line: int  # 0 in a JSON file
    path: str  # "" in a text file
    message: str
    check: str = field(compare=False)  # what found it: schema, structure, layout, field, encoding, syntax, dax, ...

    @classmethod
    def at(cls, location: Location, message: str, check: str) -> Problem:
        """A problem at a line of a text file."""
        return cls(location.file, location.line, "", message, check)

    @classmethod
    def in_json(cls, file: str, path: str, message: str, check: str) -> Problem:
        """A problem at a JSON path of a JSON file."""
        return cls(file, 0, path, message, check)

    def __str__(self) -> str:
        if self.path:
            return f"{self.file}: {self.path}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"


def model_check(check: Callable[[Any], Iterable[tuple[Location, str]]]) -> Callable[[Any], list[Problem]]:
    """A semantic-model check written as a generator of (location, message) as a function that
    returns its Problems, each marked with the check's name (check_partition_sources: "partition sources")."""
    name = check.__name__.removeprefix("check_").replace("_", " ")

    @functools.wraps(check)
    def run(model: Any) -> list[Problem]:  # a SemanticModel
        return [Problem.at(location, message, name) for location, message in check(model)]

    return run
