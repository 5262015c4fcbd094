/*
etl.GetWarehouseFigures - the headline figures of the warehouse, for one batch or the latest.

What etl.BuildWarehouse returns after a build and what the pipeline's run summary shows; a DBA
can run it at any time:
    EXEC etl.GetWarehouseFigures;

Parameters
    @batch_id  BIGINT  the batch whose loaded lines are counted; NULL = the latest succeeded batch
Result set
    one row: batch_id (NULL in an empty warehouse), sales_lines_loaded, return_lines_loaded (of
    that batch), fact_sales_rows, fact_returns_rows, customers, products, countries,
    rfm_customers, segments (in use), cohorts, as_of_date (of the marts), sales_revenue
Idempotent
    reads only.
Returns 0.
*/
CREATE OR ALTER PROCEDURE etl.GetWarehouseFigures
    @batch_id BIGINT = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    IF @batch_id IS NULL
    BEGIN
        SET @batch_id = (SELECT MAX(b.batch_id) FROM etl.batch AS b WHERE b.status = N'succeeded');
    END;

    SELECT
        @batch_id AS batch_id,
        (SELECT COUNT(*) FROM dw.fact_sales AS f WHERE f.batch_id = @batch_id) AS sales_lines_loaded,
        (SELECT COUNT(*) FROM dw.fact_returns AS f WHERE f.batch_id = @batch_id) AS return_lines_loaded,
        (SELECT COUNT(*) FROM dw.fact_sales AS f) AS fact_sales_rows,
        (SELECT COUNT(*) FROM dw.fact_returns AS f) AS fact_returns_rows,
        (SELECT COUNT(*) FROM dw.dim_customer AS c) AS customers,
        (SELECT COUNT(*) FROM dw.dim_product AS p) AS products,
        (SELECT COUNT(*) FROM dw.dim_country AS k) AS countries,
        (SELECT COUNT(*) FROM mart.customer_rfm AS r) AS rfm_customers,
        (SELECT COUNT(DISTINCT m.segment) FROM mart.customer_rfm AS r INNER JOIN mart.rfm_segment_map AS m ON m.rfm_code = r.rfm_code) AS segments,
        (SELECT COUNT(DISTINCT c.cohort_month) FROM mart.cohort_retention AS c) AS cohorts,
        (SELECT MAX(r.as_of_date) FROM mart.customer_rfm AS r) AS as_of_date,
        (SELECT COALESCE(SUM(f.revenue), 0) FROM dw.fact_sales AS f) AS sales_revenue;

    RETURN 0;
END;
GO
