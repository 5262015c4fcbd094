"""A small T-SQL tokenizer: enough to find batch, statement and block boundaries.

sqlglot tokenizes single statements well but gives up on procedure bodies, so the structural
parser works on these tokens and hands sqlglot one statement at a time (as original text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    WORD = "word"  # keyword or plain identifier
    QUOTED = "quoted"  # [identifier] or "identifier"
    VARIABLE = "variable"  # @name or @@name
    STRING = "string"  # 'text' or N'text'
    NUMBER = "number"
    SYMBOL = "symbol"  # punctuation and operators


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str
    line: int
    start: int  # offset in the source text
    end: int

    @property
    def upper(self) -> str:
        return self.text.upper()

    def is_word(self, *words: str) -> bool:
        return self.kind is Kind.WORD and self.upper in words

    def is_symbol(self, symbol: str) -> bool:
        return self.kind is Kind.SYMBOL and self.text == symbol


class TokenizeError(ValueError):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


_PATTERNS = [
    (None, r"\s+"),
    (None, r"--[^\n]*"),
    (Kind.STRING, r"[Nn]?'(?:[^']|'')*'"),
    (Kind.QUOTED, r"\[(?:[^\]]|\]\])*\]|\"(?:[^\"]|\"\")*\""),
    (Kind.VARIABLE, r"@@?[A-Za-z_][A-Za-z0-9_$#@]*"),
    (Kind.NUMBER, r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"),
    (Kind.WORD, r"[A-Za-z_#][A-Za-z0-9_$#@]*"),
    (Kind.SYMBOL, r"<>|!=|>=|<=|\|\||::|[-+*/%=<>(),.;&|^~!:]"),
]
_TOKEN_RE = re.compile("|".join(f"(?P<g{i}>{pattern})" for i, (_, pattern) in enumerate(_PATTERNS)))


def tokenize(text: str, first_line: int = 1) -> list[Token]:
    """Split T-SQL text into tokens, dropping whitespace and comments (block comments nest)."""
    tokens: list[Token] = []
    position, line = 0, first_line
    while position < len(text):
        if text.startswith("/*", position):
            end = _block_comment_end(text, position, line)
            line += text.count("\n", position, end)
            position = end
            continue
        match = _TOKEN_RE.match(text, position)
        if match is None:
            raise TokenizeError(f"unexpected character {text[position]!r}", line)
        kind = _PATTERNS[int(match.lastgroup[1:])][0]
        if kind is not None:
            tokens.append(Token(kind, match.group(), line, position, match.end()))
        line += match.group().count("\n")
        position = match.end()
    return tokens


def _block_comment_end(text: str, start: int, line: int) -> int:
    depth, position = 0, start
    while position < len(text):
        if text.startswith("/*", position):
            depth, position = depth + 1, position + 2
        elif text.startswith("*/", position):
            depth, position = depth - 1, position + 2
            if depth == 0:
                return position
        else:
            position += 1
    raise TokenizeError("unterminated /* comment", line)
