/*
etl.CheckBatch - refuse a missing or unknown batch id, in the caller's name.

Every procedure that works on a batch starts with this check, so the errors and their numbers
are the same everywhere.

Parameters
    @procedure  NVARCHAR(128)  the calling procedure, named in the message; required
    @batch_id   BIGINT         the batch to check
Result set
    none
Idempotent
    reads only.
Errors
    50101  @batch_id is missing
    50102  no batch has this @batch_id
Returns 0.
*/
CREATE OR ALTER PROCEDURE etl.CheckBatch
    @procedure NVARCHAR(128) = NULL,
    @batch_id BIGINT = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    DECLARE @message NVARCHAR(2048);

    IF @batch_id IS NULL
    BEGIN
        SET @message = CONCAT(@procedure, N': @batch_id is required.');
        THROW 50101, @message, 1;
    END;

    IF NOT EXISTS (SELECT 1 FROM etl.batch AS b WHERE b.batch_id = @batch_id)
    BEGIN
        SET @message = CONCAT(@procedure, N': no batch has batch_id ', @batch_id, N'.');
        THROW 50102, @message, 1;
    END;

    RETURN 0;
END;
GO
