/*
etl.GetPipelineLock - take the pipeline lock for this session, so two loads never interleave.

SQL Server: an exclusive application lock (sp_getapplock) owned by the session, held until
etl.ReleasePipelineLock or the connection closes. Take it first, on the connection that stays
open for the whole run (the Python pipeline does, etl/lock.py; a SQL Agent job runs it
as its first step). DuckDB skips sp_getapplock (one process writes a file at a time); the
Python pipeline locks a file beside the database instead.

Parameters
    @wait_seconds  INT  how long to wait for a run that holds the lock; 0 (default) = do not wait
Result set
    none
Idempotent
    a session that holds the lock may take it again (each take needs a release).
Errors
    50021  @wait_seconds is negative
    50022  another session holds the pipeline lock (the other run is still loading)
Returns 0.
*/
CREATE OR ALTER PROCEDURE etl.GetPipelineLock
    @wait_seconds INT = 0
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    DECLARE @lock_result INT = 0;
    DECLARE @timeout_ms INT;

    IF @wait_seconds IS NULL OR @wait_seconds < 0
    BEGIN
        THROW 50021, N'etl.GetPipelineLock: @wait_seconds must be 0 or more.', 1;
    END;

    SET @timeout_ms = @wait_seconds * 1000;

    EXEC @lock_result = sys.sp_getapplock
        @Resource = N'cip.pipeline', @LockMode = N'Exclusive', @LockOwner = N'Session', @LockTimeout = @timeout_ms;

    IF @lock_result < 0
    BEGIN
        THROW 50022, N'etl.GetPipelineLock: another pipeline run holds the lock; try again when it has finished.', 1;
    END;

    RETURN 0;
END;
GO
