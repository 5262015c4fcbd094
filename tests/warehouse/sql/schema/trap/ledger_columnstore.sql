-- SQL Server only: DuckDB skips columnstore indexes.
CREATE NONCLUSTERED COLUMNSTORE INDEX NCCI_trap_ledger ON trap.ledger (note, amount);
GO
