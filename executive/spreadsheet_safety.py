"""Text that came from the raw data, made safe to open in a spreadsheet (CSV or formula injection).

A spreadsheet reads a cell that starts with `=`, `+`, `-` or `@` as a formula, and tab or carriage
return ahead of one as well; a formula such as `=HYPERLINK(...)` in a country name would run on the
marketer's machine. OWASP's advice (CSV Injection), applied to every text cell of the extracts:
prefix such a value with a single quote, so the cell shows text, and in a CSV quote every text
field and double each quote inside it, so a separator or a quote in the value cannot open a new
cell that starts with a formula. NUL is on the list too (OWASP ASVS 5, V1.2.10).

Only text is neutralised: numbers are written as numbers (-8.15 is a number, not a formula, and
stays one), and the dates and flags the extracts write are ours, not text from the data.
"""

from __future__ import annotations

# The first characters a spreadsheet may take for the start of a formula (OWASP, CSV Injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
QUOTE_PREFIX = "'"


def neutralise(text: str) -> str:
    """The text as a spreadsheet must show it: a single quote ahead of a formula trigger."""
    return QUOTE_PREFIX + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_text(text: str) -> str:
    """A text field of a CSV line: neutralised, always quoted, quotes doubled (RFC 4180)."""
    return '"' + neutralise(text).replace('"', '""') + '"'
