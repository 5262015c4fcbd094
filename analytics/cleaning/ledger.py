"""The cleaning ledger: per input and per rule, rows and revenue - and proof that every row is counted.

Revenue of a row is quantity x unit price as exported (0 when either is unreadable), so the
ledger shows what each rule removed in money as well as in rows.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from analytics.cleaning.rules import RULES, ClassifiedChunk

LEDGER_COLUMNS = ["source", "disposition", "rule", "rows", "revenue"]


class LedgerError(AssertionError):
    """The ledger does not add up: a bug in cleaning, never a user mistake."""


class Ledger:
    def __init__(self) -> None:
        self._rows_in: dict[str, int] = defaultdict(int)
        self._counts: dict[tuple[str, str], list] = {}

    def add_source(self, source: str) -> None:
        """Register an input before its rows arrive, so an empty file still shows with 0 rows."""
        self._rows_in[source] += 0

    def record(self, source: str, raw_rows: int, chunk: ClassifiedChunk) -> None:
        self._rows_in[source] += raw_rows
        grouped = chunk.rows.groupby("rule", sort=False)["revenue"].agg(["size", "sum"])
        for rule, (rows, revenue) in grouped.iterrows():
            entry = self._counts.setdefault((source, rule), [0, 0.0])
            entry[0] += int(rows)
            entry[1] += float(revenue)

    @property
    def rows_in(self) -> dict[str, int]:
        return dict(self._rows_in)

    def table(self) -> pd.DataFrame:
        """One line per source and rule (rules in the order they are applied), revenue to the cent."""
        order = {rule.name: i for i, rule in enumerate(RULES)}
        disposition = {rule.name: rule.disposition for rule in RULES}
        records = [(source, disposition[rule], rule, rows, round(revenue, 2)) for (source, rule), (rows, revenue) in self._counts.items()]
        table = pd.DataFrame(records, columns=LEDGER_COLUMNS)
        table["_order"] = table["rule"].map(order)
        sources = list(self._rows_in)
        table["_source"] = table["source"].map({s: i for i, s in enumerate(sources)})
        return table.sort_values(["_source", "_order"]).drop(columns=["_order", "_source"]).reset_index(drop=True)

    def totals(self) -> pd.DataFrame:
        """Rows and revenue per disposition over all sources."""
        return self.table().groupby("disposition", sort=False)[["rows", "revenue"]].sum()

    def check_balanced(self) -> None:
        """Rows in == rows out, per source; raises LedgerError otherwise."""
        out = self.table().groupby("source")["rows"].sum()
        for source, rows_in in self._rows_in.items():
            if int(out.get(source, 0)) != rows_in:
                raise LedgerError(f"ledger for {source}: {rows_in} rows in but {int(out.get(source, 0))} classified")
