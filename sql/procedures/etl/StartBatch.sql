/*
etl.StartBatch - open a lineage batch for one load and return its batch_id.

Parameters
    @source        NVARCHAR(400)  what is loaded (file or feed name); required
    @started_at    DATETIME2(3)   when the load started; defaults to SYSUTCDATETIME()
    @content_hash  NVARCHAR(64)   SHA-256 (hex, 64 characters) of the file's bytes; optional
Result set
    one row: batch_id, source, started_at, status, content_hash
    status succeeded means the content was loaded before: the row is that earlier batch and the
    caller skips the file. status running is the new batch to load.
Idempotent
    a second call with the same @source and @started_at returns the same batch and writes
    nothing, so a load step can be re-run after a failure. A content that already has a
    succeeded batch is never opened again (each file is loaded once, whatever its name).
Recovery
    batches of the same @content_hash still running were interrupted (a killed run: the caller
    holds the pipeline lock, see etl.GetPipelineLock, so no other load is under way); they are
    closed as failed before the new batch opens.
Errors
    50001  @source is missing or blank
    50006  @content_hash is not 64 characters long
Returns 0.
*/
CREATE OR ALTER PROCEDURE etl.StartBatch
    @source NVARCHAR(400) = NULL,
    @started_at DATETIME2(3) = NULL,
    @content_hash NVARCHAR(64) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    IF @source IS NULL OR LTRIM(RTRIM(@source)) = N''
    BEGIN
        THROW 50001, N'etl.StartBatch: @source is required.', 1;
    END;

    IF @content_hash IS NOT NULL AND LEN(@content_hash) <> 64
    BEGIN
        THROW 50006, N'etl.StartBatch: @content_hash must be the 64-character hex SHA-256 of the file.', 1;
    END;

    IF @content_hash IS NOT NULL
        AND EXISTS (SELECT 1 FROM etl.batch AS b WHERE b.content_hash = @content_hash AND b.status = N'succeeded')
    BEGIN
        SELECT TOP (1)
            b.batch_id AS batch_id,
            b.source AS source,
            b.started_at AS started_at,
            b.status AS status,
            b.content_hash AS content_hash
        FROM etl.batch AS b
        WHERE b.content_hash = @content_hash
          AND b.status = N'succeeded'
        ORDER BY b.batch_id DESC;

        RETURN 0;
    END;

    SET @started_at = COALESCE(@started_at, SYSUTCDATETIME());

    BEGIN TRY
        BEGIN TRANSACTION;

        UPDATE etl.batch
        SET finished_at = COALESCE(finished_at, SYSUTCDATETIME()),
            status = N'failed'
        WHERE content_hash = @content_hash
          AND status = N'running'
          AND NOT (source = @source AND started_at = @started_at);

        INSERT INTO etl.batch (source, started_at, status, content_hash)
        SELECT @source, @started_at, N'running', @content_hash
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
        b.status AS status,
        b.content_hash AS content_hash
    FROM etl.batch AS b
    WHERE b.source = @source
      AND b.started_at = @started_at;

    RETURN 0;
END;
GO
