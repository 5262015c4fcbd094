"""DuckDB macros that reproduce T-SQL semantics the rewrites cannot express inline.

Created (or replaced) in the warehouse's `main` schema on every connection, so views that use
them work for any DuckDB client that opens the file.
"""

from __future__ import annotations

TSQL_MACROS = (
    # T-SQL `int / int` truncates toward zero (DuckDB's `//` does too) and fails on zero.
    "CREATE OR REPLACE MACRO tsql_int_divide(a, b) AS CASE WHEN b = 0 THEN error('Divide by zero error encountered.') ELSE a // b END",
    # T-SQL decimal division truncates at the result scale. DuckDB divides decimals as DOUBLE,
    # so round to 15 significant digits first (removes binary noise), then truncate.
    "CREATE OR REPLACE MACRO tsql_decimal_divide(a, b, result_scale) AS "
    "CASE WHEN b = 0 THEN error('Divide by zero error encountered.') "
    "WHEN a = 0 THEN 0.0 "
    "ELSE trunc(round(CAST(a AS DOUBLE) / CAST(b AS DOUBLE), "
    "14 - CAST(floor(log10(abs(CAST(a AS DOUBLE) / CAST(b AS DOUBLE)))) AS INTEGER)) "
    "* pow(10, result_scale)) / pow(10, result_scale) END",
    # DATEDIFF(week, a, b) counts Sunday boundaries crossed, whatever @@DATEFIRST says.
    # 1899-12-31 was a Sunday: week n starts 7n days after it.
    "CREATE OR REPLACE MACRO tsql_datediff_week(a, b) AS "
    "CAST(floor(date_diff('day', DATE '1899-12-31', CAST(b AS DATE)) / 7) "
    "- floor(date_diff('day', DATE '1899-12-31', CAST(a AS DATE)) / 7) AS INTEGER)",
)
