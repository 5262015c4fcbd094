/*
etl.FinishBatch - close a lineage batch with its outcome and row counts.

Parameters
    @batch_id       BIGINT         the batch opened by etl.StartBatch; required
    @status         NVARCHAR(20)   succeeded (default) or failed
    @rows_read      BIGINT         rows read from the source; optional, not negative
    @rows_loaded    BIGINT         rows written; optional, not negative
    @rows_rejected  BIGINT         rows quarantined; optional, not negative
Result set
    one row: the batch as stored
Idempotent
    calling again sets the same status and counts; finished_at keeps its first value.
Errors
    50002  @batch_id is missing
    50003  @status is not succeeded or failed
    50004  a row count is negative
    50005  no batch has this @batch_id
Returns 0.
*/
CREATE OR ALTER PROCEDURE etl.FinishBatch
    @batch_id BIGINT = NULL,
    @status NVARCHAR(20) = N'succeeded',
    @rows_read BIGINT = NULL,
    @rows_loaded BIGINT = NULL,
    @rows_rejected BIGINT = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    IF @batch_id IS NULL
    BEGIN
        THROW 50002, N'etl.FinishBatch: @batch_id is required.', 1;
    END;

    IF @status IS NULL OR @status NOT IN (N'succeeded', N'failed')
    BEGIN
        THROW 50003, N'etl.FinishBatch: @status must be succeeded or failed.', 1;
    END;

    IF COALESCE(@rows_read, 0) < 0 OR COALESCE(@rows_loaded, 0) < 0 OR COALESCE(@rows_rejected, 0) < 0
    BEGIN
        THROW 50004, N'etl.FinishBatch: row counts cannot be negative.', 1;
    END;

    IF NOT EXISTS (SELECT 1 FROM etl.batch AS b WHERE b.batch_id = @batch_id)
    BEGIN
        DECLARE @message NVARCHAR(2048) = CONCAT(N'etl.FinishBatch: no batch has batch_id ', @batch_id, N'.');
        THROW 50005, @message, 1;
    END;

    BEGIN TRY
        BEGIN TRANSACTION;

        UPDATE etl.batch
        SET finished_at = COALESCE(finished_at, SYSUTCDATETIME()),
            status = @status,
            rows_read = @rows_read,
            rows_loaded = @rows_loaded,
            rows_rejected = @rows_rejected
        WHERE batch_id = @batch_id;

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
        b.finished_at AS finished_at,
        b.status AS status,
        b.rows_read AS rows_read,
        b.rows_loaded AS rows_loaded,
        b.rows_rejected AS rows_rejected
    FROM etl.batch AS b
    WHERE b.batch_id = @batch_id;

    RETURN 0;
END;
GO
