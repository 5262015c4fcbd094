/*
etl.LoadProductDimension - MERGE the stock codes of the staged batch into dw.dim_product.

The canonical description of a stock code is the one on most of the batch's sale and return
lines; ties go to the one used most recently, then to the first in alphabetical order. The
product type is the one cleaning gave those lines. A code already known takes the latest
batch's description and type.

Parameters
    @batch_id  BIGINT  the batch whose staged lines give the products; required
Result set
    none
Idempotent
    a second call changes nothing.
Errors
    50101  @batch_id is missing
    50102  no batch has this @batch_id
Returns 0.
*/
CREATE OR ALTER PROCEDURE etl.LoadProductDimension
    @batch_id BIGINT = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    EXEC etl.CheckBatch @procedure = N'etl.LoadProductDimension', @batch_id = @batch_id;

    BEGIN TRY
        BEGIN TRANSACTION;

        MERGE dw.dim_product AS target
        USING (
            SELECT ranked.stock_code AS stock_code, ranked.description AS description, ranked.product_type AS product_type
            FROM (
                SELECT
                    u.stock_code AS stock_code,
                    u.description AS description,
                    u.product_type AS product_type,
                    ROW_NUMBER() OVER (
                        PARTITION BY u.stock_code
                        ORDER BY u.line_count DESC, u.last_used_at DESC, u.description
                    ) AS choice
                FROM (
                    SELECT
                        l.stock_code AS stock_code,
                        l.description AS description,
                        MAX(l.product_type) AS product_type,
                        COUNT(*) AS line_count,
                        MAX(l.invoice_date) AS last_used_at
                    FROM (
                        SELECT s.stock_code AS stock_code, s.description AS description, s.product_type AS product_type, s.invoice_date AS invoice_date
                        FROM stg.sale_line AS s
                        WHERE s.batch_id = @batch_id
                        UNION ALL
                        SELECT r.stock_code AS stock_code, r.description AS description, r.product_type AS product_type, r.invoice_date AS invoice_date
                        FROM stg.return_line AS r
                        WHERE r.batch_id = @batch_id
                    ) AS l
                    GROUP BY l.stock_code, l.description
                ) AS u
            ) AS ranked
            WHERE ranked.choice = 1
        ) AS source
            ON target.stock_code = source.stock_code
        WHEN MATCHED AND (
            COALESCE(target.description, N'') <> COALESCE(source.description, N'')
            OR target.product_type <> source.product_type
        ) THEN
            UPDATE SET
                target.description = source.description,
                target.product_type = source.product_type,
                target.batch_id = @batch_id
        WHEN NOT MATCHED THEN
            INSERT (stock_code, description, product_type, batch_id)
            VALUES (source.stock_code, source.description, source.product_type, @batch_id);

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
