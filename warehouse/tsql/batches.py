"""Split a T-SQL file into batches on `GO` lines, as sqlcmd and SSMS do."""

from __future__ import annotations

from dataclasses import dataclass

from warehouse.tsql.tokens import Token, tokenize


@dataclass(frozen=True)
class SqlBatch:
    """One batch of a T-SQL file: the text between two `GO` lines, with its tokens."""

    text: str
    line: int  # line of the batch's first token in its file
    tokens: tuple[Token, ...]

    def source(self, first: Token, last: Token) -> str:
        """The original text from `first` to `last` (inclusive), comments and layout kept."""
        offset = self.tokens[0].start
        return self.text[first.start - offset : last.end - offset]


def split_batches(text: str) -> list[SqlBatch]:
    """Batches separated by a line holding only `GO` (strings and comments are respected)."""
    tokens = tokenize(text)
    batches: list[SqlBatch] = []
    current: list[Token] = []
    for index, token in enumerate(tokens):
        if token.is_word("GO") and _alone_on_its_line(tokens, index):
            _close(batches, current, text)
            current = []
        else:
            current.append(token)
    _close(batches, current, text)
    return batches


def _alone_on_its_line(tokens: list[Token], index: int) -> bool:
    line = tokens[index].line
    before = index == 0 or tokens[index - 1].line < line
    after = index == len(tokens) - 1 or tokens[index + 1].line > line
    return before and after


def _close(batches: list[SqlBatch], tokens: list[Token], text: str) -> None:
    if tokens:
        batches.append(SqlBatch(text[tokens[0].start : tokens[-1].end], tokens[0].line, tuple(tokens)))
