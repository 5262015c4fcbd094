/*
etl.LoadSalesFact - replace the sale lines of the staged batch in dw.fact_sales.

Deletes the fact lines of this batch, of every source the batch carries (its cleaning
ledger names them) and with the line_key of a staged line, then inserts the batch's staged lines
with their date and country keys and the batch_id: loading a source again replaces its lines,
and a sale line carried by two overlapping drops (same line_key) is stored once, from the
later load - lines are never duplicated. Run after the dimension loads. Checks that every
staged line arrived.

Parameters
    @batch_id  BIGINT  the staged batch; required
Result set
    none
Idempotent
    delete-by-key + insert: a second call leaves the same rows.
Errors
    50101  @batch_id is missing
    50102  no batch has this @batch_id
    50111  fewer fact lines than staged lines (a country missing from dw.dim_country)
Returns 0.
*/
CREATE OR ALTER PROCEDURE etl.LoadSalesFact
    @batch_id BIGINT = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    DECLARE @message NVARCHAR(2048);

    EXEC etl.CheckBatch @procedure = N'etl.LoadSalesFact', @batch_id = @batch_id;

    BEGIN TRY
        BEGIN TRANSACTION;

        DELETE FROM dw.fact_sales
        WHERE batch_id = @batch_id
           OR source IN (SELECT g.source FROM stg.cleaning_ledger AS g WHERE g.batch_id = @batch_id)
           OR line_key IN (SELECT s.line_key FROM stg.sale_line AS s WHERE s.batch_id = @batch_id);

        INSERT INTO dw.fact_sales (
            source, source_row, invoice_no, invoice_date, date_key, customer_id, country_key,
            stock_code, quantity, unit_price, revenue, batch_id, line_key
        )
        SELECT
            s.source AS source,
            s.source_row AS source_row,
            s.invoice_no AS invoice_no,
            s.invoice_date AS invoice_date,
            YEAR(s.invoice_date) * 10000 + MONTH(s.invoice_date) * 100 + DAY(s.invoice_date) AS date_key,
            s.customer_id AS customer_id,
            k.country_key AS country_key,
            s.stock_code AS stock_code,
            s.quantity AS quantity,
            s.unit_price AS unit_price,
            s.revenue AS revenue,
            @batch_id AS batch_id,
            s.line_key AS line_key
        FROM stg.sale_line AS s
        INNER JOIN dw.dim_country AS k ON k.country_name = s.country
        WHERE s.batch_id = @batch_id;

        IF (SELECT COUNT(*) FROM dw.fact_sales AS f WHERE f.batch_id = @batch_id)
            <> (SELECT COUNT(*) FROM stg.sale_line AS s WHERE s.batch_id = @batch_id)
        BEGIN
            SET @message = CONCAT(N'etl.LoadSalesFact: batch ', @batch_id, N' has staged lines whose country is not in dw.dim_country; run etl.LoadCountryDimension first.');
            THROW 50111, @message, 1;
        END;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
