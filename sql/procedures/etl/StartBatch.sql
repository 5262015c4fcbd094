/*
etl.StartBatch - open a lineage batch for one load and return its batch_id.

Parameters
    @source      NVARCHAR(400)  what is loaded (file or feed name); required
    @started_at  DATETIME2(3)   when the load started; defaults to SYSUTCDATETIME()
Result set
    one row: batch_id, source, started_at, status
Idempotent
    a second call with the same @source and @started_at returns the same batch and writes
    nothing, so a load step can be re-run after a failure.
Errors
    50001  @source is missing or blank
Returns 0.
*/
CREATE OR ALTER PROCEDURE etl.StartBatch
    @source NVARCHAR(400) = NULL,
    @started_at DATETIME2(3) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    IF @source IS NULL OR LTRIM(RTRIM(@source)) = N''
    BEGIN
        THROW 50001, N'etl.StartBatch: @source is required.', 1;
    END;

    SET @started_at = COALESCE(@started_at, SYSUTCDATETIME());

    BEGIN TRY
        BEGIN TRANSACTION;

        INSERT INTO etl.batch (source, started_at, status)
        SELECT @source, @started_at, N'running'
        WHERE NOT EXISTS (
            SELECT 1
            FROM etl.batch AS b
            WHERE b.source = @source
              AND b.started_at = @started_at
        );

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    SELECT
        b.batch_id AS batch_id,
        b.source AS source,
        b.started_at AS started_at,
        b.status AS status
    FROM etl.batch AS b
    WHERE b.source = @source
      AND b.started_at = @started_at;

    RETURN 0;
END;
GO
