/*
etl.RecordDeployment - record that sql/ was deployed, with its fingerprint (the pipeline calls it
after a deploy; the next run deploys again only when sql/ changed).

Parameters
    @sql_fingerprint  NVARCHAR(64)  SHA-256 of every sql/ file's path and content; required
    @files_run        INT           how many files the deploy ran; required
Result set
    none
Idempotent
    no: one row per call (a history of deploys); harmless to repeat.
Errors
    50031  @sql_fingerprint or @files_run is missing
Returns 0.
*/
CREATE OR ALTER PROCEDURE etl.RecordDeployment
    @sql_fingerprint NVARCHAR(64) = NULL,
    @files_run INT = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    IF @sql_fingerprint IS NULL OR @files_run IS NULL
        THROW 50031, N'etl.RecordDeployment: @sql_fingerprint and @files_run are required.', 1;

    INSERT INTO etl.deployment (sql_fingerprint, files_run, deployed_at)
    VALUES (@sql_fingerprint, @files_run, SYSUTCDATETIME());

    RETURN 0;
END;
GO
