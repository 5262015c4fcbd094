/*
etl.SaveCleaningLedger - persist the staged cleaning ledger of a batch in etl.cleaning_ledger.

Parameters
    @batch_id  BIGINT  the staged batch; required
Result set
    none
Idempotent
    delete-by-batch + insert: a second call leaves the same rows.
Errors
    50101  @batch_id is missing
    50102  no batch has this @batch_id
Returns 0.
*/
CREATE OR ALTER PROCEDURE etl.SaveCleaningLedger
    @batch_id BIGINT = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    EXEC etl.CheckBatch @procedure = N'etl.SaveCleaningLedger', @batch_id = @batch_id;

    BEGIN TRY
        BEGIN TRANSACTION;

        DELETE FROM etl.cleaning_ledger
        WHERE batch_id = @batch_id;

        INSERT INTO etl.cleaning_ledger (batch_id, source, disposition, rule_name, row_count, revenue)
        SELECT
            @batch_id AS batch_id,
            g.source AS source,
            g.disposition AS disposition,
            g.rule_name AS rule_name,
            g.row_count AS row_count,
            g.revenue AS revenue
        FROM stg.cleaning_ledger AS g
        WHERE g.batch_id = @batch_id;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
