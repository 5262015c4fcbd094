/*
etl.ClearStaging - empty the staging tables before a load stages a new batch.

Staging holds one batch at a time: the rows of the latest load stay until the next load, so
etl.BuildWarehouse can be re-run for that batch.

Parameters
    none
Result set
    none
Idempotent
    yes: emptying empty tables changes nothing.
Errors
    none of its own
Returns 0.
*/
CREATE OR ALTER PROCEDURE etl.ClearStaging
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    BEGIN TRY
        BEGIN TRANSACTION;

        TRUNCATE TABLE stg.sale_line;
        TRUNCATE TABLE stg.return_line;
        TRUNCATE TABLE stg.cleaning_ledger;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
