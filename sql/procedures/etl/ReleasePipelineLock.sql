/*
etl.ReleasePipelineLock - release the pipeline lock taken by etl.GetPipelineLock in this session.

Parameters
    none
Result set
    none
Idempotent
    no: call it once per etl.GetPipelineLock (closing the connection releases it as well).
Errors
    SQL Server's, if this session does not hold the lock
Returns 0.
*/
CREATE OR ALTER PROCEDURE etl.ReleasePipelineLock
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    EXEC sys.sp_releaseapplock @Resource = N'cip.pipeline', @LockOwner = N'Session';

    RETURN 0;
END;
GO
