-- Test-only schema: objects the engine tests run the T-SQL traps against.
CREATE SCHEMA trap;
GO
