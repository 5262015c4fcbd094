"""What the engines return, in the same shape on SQL Server and DuckDB."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class ProcedureResult:
    """What `EXEC` gives back: the return code and every result set, in order."""

    return_code: int
    result_sets: list[pd.DataFrame] = field(default_factory=list)

    @property
    def rows(self) -> pd.DataFrame:
        """The first result set (empty if the procedure returned none)."""
        return self.result_sets[0] if self.result_sets else pd.DataFrame()


def frame_from_cursor(cursor) -> pd.DataFrame:
    """Rows of a DB-API cursor as a DataFrame with the values the driver returned (Decimal,
    date, None), the same on both engines: no float rounding of decimals, no NaN for NULL."""
    if cursor.description is None:
        return pd.DataFrame()
    columns = [column[0] for column in cursor.description]
    frame = pd.DataFrame([tuple(row) for row in cursor.fetchall()], columns=columns, dtype=object)
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if values.notna().all():  # a column with NULLs stays object: None, not NaN
            frame.isetitem(position, values.infer_objects())
    return frame
