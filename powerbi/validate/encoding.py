"""The one check that a file of the project is UTF-8 without a byte order mark."""

from __future__ import annotations

from dataclasses import dataclass

from powerbi.validate.problem import Problem

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class DecodedText:
    text: str  # bytes that are not UTF-8 replaced by U+FFFD
    is_utf8: bool
    problems: list[Problem]


def decode_utf8(data: bytes, file: str, json_path: str = "") -> DecodedText:
    """The text of `file`, which must be UTF-8 without a BOM (as Power BI Desktop writes it), and
    what is wrong with its bytes: located at a line, or at `json_path` for a JSON file."""

    def problem(line: int, message: str) -> Problem:
        if json_path:
            return Problem.in_json(file, json_path, message, "encoding")
        return Problem(file, line, "", message, "encoding")

    problems = []
    if data.startswith(BOM):
        problems.append(problem(1, "starts with a UTF-8 byte order mark (save as UTF-8 without BOM)"))
        data = data[len(BOM) :]
    try:
        return DecodedText(data.decode("utf-8"), True, problems)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(problem(line, f"not UTF-8: {error.reason} at byte {error.start}"))
        return DecodedText(data.decode("utf-8", errors="replace"), False, problems)
