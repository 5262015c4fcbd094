/*
trap.LedgerSummary - SELECT @variable = ... assignment, then a result set; takes an applock
first (SQL Server only; skipped on DuckDB, where the return value is 0).
*/
CREATE OR ALTER PROCEDURE trap.LedgerSummary
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    DECLARE @lock_result INT;
    DECLARE @entries INT = 0, @total DECIMAL(18, 2) = 0;

    EXEC @lock_result = sys.sp_getapplock
        @Resource = N'trap.LedgerSummary', @LockMode = N'Shared', @LockOwner = N'Session', @LockTimeout = 0;

    IF @lock_result < 0
    BEGIN
        THROW 50030, N'trap.LedgerSummary: could not take the lock.', 1;
    END;

    SELECT @entries = COUNT(*), @total = COALESCE(SUM(l.amount), 0)
    FROM trap.ledger AS l;

    SELECT @lock_result AS lock_result, @entries AS entries, @total AS total;

    RETURN 0;
END;
GO
