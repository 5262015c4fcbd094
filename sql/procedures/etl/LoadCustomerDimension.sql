/*
etl.LoadCustomerDimension - MERGE the customers of the staged batch into dw.dim_customer.

Attributes are computed over the lines the warehouse will hold once this batch is loaded: the
batch's staged sale and return lines plus the fact lines of other batches and sources (a batch
replaces the lines of the sources it carries, and the lines of other sources with the same
line_key - the overlap of monthly drops). country is the country of the customer's most
recent sale line (latest invoice_date, then the highest source and source_row); a customer with
returns only takes the country of the most recent return line and has no purchase dates.
Run it before etl.LoadSalesFact / etl.LoadReturnsFact (their lines reference the customer).

Parameters
    @batch_id  BIGINT  the staged batch; required
Result set
    none
Idempotent
    a second call changes nothing.
Errors
    50101  @batch_id is missing
    50102  no batch has this @batch_id
Returns 0.
*/
CREATE OR ALTER PROCEDURE etl.LoadCustomerDimension
    @batch_id BIGINT = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    EXEC etl.CheckBatch @procedure = N'etl.LoadCustomerDimension', @batch_id = @batch_id;

    BEGIN TRY
        BEGIN TRANSACTION;

        MERGE dw.dim_customer AS target
        USING (
            SELECT
                x.customer_id AS customer_id,
                x.country AS country,
                k.country_key AS country_key,
                x.first_purchase_at AS first_purchase_at,
                x.last_purchase_at AS last_purchase_at
            FROM (
                SELECT
                    l.customer_id AS customer_id,
                    l.country AS country,
                    MIN(CASE WHEN l.is_sale = 1 THEN l.invoice_date END) OVER (PARTITION BY l.customer_id) AS first_purchase_at,
                    MAX(CASE WHEN l.is_sale = 1 THEN l.invoice_date END) OVER (PARTITION BY l.customer_id) AS last_purchase_at,
                    ROW_NUMBER() OVER (
                        PARTITION BY l.customer_id
                        ORDER BY l.is_sale DESC, l.invoice_date DESC, l.source DESC, l.source_row DESC
                    ) AS recency_rank
                FROM (
                    SELECT s.customer_id AS customer_id, s.country AS country, s.invoice_date AS invoice_date,
                           s.source AS source, s.source_row AS source_row, 1 AS is_sale
                    FROM stg.sale_line AS s
                    WHERE s.batch_id = @batch_id
                    UNION ALL
                    SELECT r.customer_id AS customer_id, r.country AS country, r.invoice_date AS invoice_date,
                           r.source AS source, r.source_row AS source_row, 0 AS is_sale
                    FROM stg.return_line AS r
                    WHERE r.batch_id = @batch_id
                    UNION ALL
                    SELECT f.customer_id AS customer_id, c.country_name AS country, f.invoice_date AS invoice_date,
                           f.source AS source, f.source_row AS source_row, 1 AS is_sale
                    FROM dw.fact_sales AS f
                    INNER JOIN dw.dim_country AS c ON c.country_key = f.country_key
                    WHERE f.batch_id <> @batch_id
                      AND f.source NOT IN (SELECT g.source FROM stg.cleaning_ledger AS g WHERE g.batch_id = @batch_id)
                      AND f.line_key NOT IN (SELECT s.line_key FROM stg.sale_line AS s WHERE s.batch_id = @batch_id)
                    UNION ALL
                    SELECT f.customer_id AS customer_id, c.country_name AS country, f.invoice_date AS invoice_date,
                           f.source AS source, f.source_row AS source_row, 0 AS is_sale
                    FROM dw.fact_returns AS f
                    INNER JOIN dw.dim_country AS c ON c.country_key = f.country_key
                    WHERE f.batch_id <> @batch_id
                      AND f.source NOT IN (SELECT g.source FROM stg.cleaning_ledger AS g WHERE g.batch_id = @batch_id)
                      AND f.line_key NOT IN (SELECT s.line_key FROM stg.return_line AS s WHERE s.batch_id = @batch_id)
                ) AS l
            ) AS x
            INNER JOIN dw.dim_country AS k ON k.country_name = x.country
            WHERE x.recency_rank = 1
        ) AS source
            ON target.customer_id = source.customer_id
        WHEN MATCHED AND (
            target.country_key <> source.country_key
            OR COALESCE(target.first_purchase_at, CAST('1900-01-01' AS DATETIME2(0))) <> COALESCE(source.first_purchase_at, CAST('1900-01-01' AS DATETIME2(0)))
            OR COALESCE(target.last_purchase_at, CAST('1900-01-01' AS DATETIME2(0))) <> COALESCE(source.last_purchase_at, CAST('1900-01-01' AS DATETIME2(0)))
        ) THEN
            UPDATE SET
                target.country = source.country,
                target.country_key = source.country_key,
                target.first_purchase_at = source.first_purchase_at,
                target.last_purchase_at = source.last_purchase_at,
                target.batch_id = @batch_id
        WHEN NOT MATCHED THEN
            INSERT (customer_id, country, country_key, first_purchase_at, last_purchase_at, batch_id)
            VALUES (source.customer_id, source.country, source.country_key, source.first_purchase_at, source.last_purchase_at, @batch_id);

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
