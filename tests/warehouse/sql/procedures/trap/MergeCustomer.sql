/*
trap.MergeCustomer - insert or update one customer by its code (MERGE on the business key).
*/
CREATE OR ALTER PROCEDURE trap.MergeCustomer
    @customer_code NVARCHAR(20),
    @customer_name NVARCHAR(100)
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    BEGIN TRY
        BEGIN TRANSACTION;

        MERGE trap.customer AS target
        USING (SELECT @customer_code AS customer_code, @customer_name AS customer_name) AS source
            ON target.customer_code = source.customer_code
        WHEN MATCHED THEN
            UPDATE SET target.customer_name = source.customer_name
        WHEN NOT MATCHED THEN
            INSERT (customer_code, customer_name)
            VALUES (source.customer_code, source.customer_name);

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
