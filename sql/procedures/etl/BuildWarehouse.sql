/*
etl.BuildWarehouse - build everything for a staged batch: dimensions, facts, ledger and marts.

The one EXEC a DBA runs after a load has staged a batch (stg.sale_line, stg.return_line,
stg.cleaning_ledger with its batch_id, e.g. by etl/load.py):
    EXEC etl.BuildWarehouse @batch_id = 42;
In one transaction it runs
    etl.LoadDateDimension, etl.LoadCountryDimension, etl.LoadProductDimension,
    etl.LoadCustomerDimension, etl.LoadSalesFact, etl.LoadReturnsFact, etl.SaveCleaningLedger,
    mart.SeedRfmSegmentMap, mart.BuildCustomerRfm, mart.BuildCohortRetention,
    etl.FinishBatch (status succeeded, row counts from the batch's cleaning ledger)
so a failure anywhere leaves the warehouse and the marts exactly as they were; then it returns
etl.GetWarehouseFigures for the batch.

Parameters
    @batch_id    BIGINT  the staged batch; required
    @as_of_date  DATE    as-of date of the marts; NULL = the day after the latest sale
Result sets
    1. the closed batch (from etl.FinishBatch)
    2. one row of figures for the batch (from etl.GetWarehouseFigures): lines loaded by this
       batch, fact rows, customers, products, countries, RFM customers, segments in use,
       cohorts, the as-of date and sales revenue
Idempotent
    yes: dimensions MERGE, facts delete-by-batch + insert, marts TRUNCATE + rebuild, so running
    it again for the same batch leaves every table as it was.
Errors
    50101  @batch_id is missing
    50102  no batch has this @batch_id
    50103  nothing is staged for this batch (staging holds the latest load only: reload it)
    and any error of the procedures above (the transaction is rolled back)
Returns 0.
*/
CREATE OR ALTER PROCEDURE etl.BuildWarehouse
    @batch_id BIGINT = NULL,
    @as_of_date DATE = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    DECLARE @message NVARCHAR(2048);
    DECLARE @rows_read BIGINT;
    DECLARE @rows_loaded BIGINT;
    DECLARE @rows_rejected BIGINT;

    EXEC etl.CheckBatch @procedure = N'etl.BuildWarehouse', @batch_id = @batch_id;

    IF NOT EXISTS (SELECT 1 FROM stg.cleaning_ledger AS g WHERE g.batch_id = @batch_id)
    BEGIN
        SET @message = CONCAT(N'etl.BuildWarehouse: nothing is staged for batch ', @batch_id, N'; staging holds the latest load only, so load the batch again.');
        THROW 50103, @message, 1;
    END;

    SELECT
        @rows_read = SUM(g.row_count),
        @rows_loaded = SUM(CASE WHEN g.disposition IN (N'sale', N'return') THEN g.row_count ELSE 0 END),
        @rows_rejected = SUM(CASE WHEN g.disposition = N'excluded' THEN g.row_count ELSE 0 END)
    FROM stg.cleaning_ledger AS g
    WHERE g.batch_id = @batch_id;

    BEGIN TRY
        BEGIN TRANSACTION;

        EXEC etl.LoadDateDimension @batch_id = @batch_id;
        EXEC etl.LoadCountryDimension @batch_id = @batch_id;
        EXEC etl.LoadProductDimension @batch_id = @batch_id;
        EXEC etl.LoadCustomerDimension @batch_id = @batch_id;
        EXEC etl.LoadSalesFact @batch_id = @batch_id;
        EXEC etl.LoadReturnsFact @batch_id = @batch_id;
        EXEC etl.SaveCleaningLedger @batch_id = @batch_id;
        EXEC mart.SeedRfmSegmentMap;
        EXEC mart.BuildCustomerRfm @batch_id = @batch_id, @as_of_date = @as_of_date;
        EXEC mart.BuildCohortRetention @batch_id = @batch_id, @as_of_date = @as_of_date;
        EXEC etl.FinishBatch
            @batch_id = @batch_id, @status = N'succeeded',
            @rows_read = @rows_read, @rows_loaded = @rows_loaded, @rows_rejected = @rows_rejected;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    EXEC etl.GetWarehouseFigures @batch_id = @batch_id;

    RETURN 0;
END;
GO
