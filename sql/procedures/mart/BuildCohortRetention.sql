/*
mart.BuildCohortRetention - rebuild mart.cohort_retention: monthly acquisition cohorts.

Over the sales before @as_of_date (default: the day after the latest sale): a customer's
cohort_month is the month of their first purchase; for each cohort and each month from the
cohort month (month_index 0) to the month of the latest sale: cohort_size (customers in the
cohort), active_customers (of them, those who bought in that month), retention_rate
(active_customers / cohort_size, 4 decimals) and revenue (their sales revenue in that month).
Months without a purchase are rows with zeros, so every cohort has a full row of months.

Parameters
    @batch_id    BIGINT  the batch the rows are stamped with (lineage); required
    @as_of_date  DATE    sales before this day count; NULL = day after the latest sale
Result set
    none
Idempotent
    TRUNCATE + rebuild: a re-run gives the same rows.
Errors
    50101  @batch_id is missing
    50102  no batch has this @batch_id
    50211  no sale before @as_of_date
Returns 0.
*/
CREATE OR ALTER PROCEDURE mart.BuildCohortRetention
    @batch_id BIGINT = NULL,
    @as_of_date DATE = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    DECLARE @message NVARCHAR(2048);
    DECLARE @last_month DATE;

    EXEC etl.CheckBatch @procedure = N'mart.BuildCohortRetention', @batch_id = @batch_id;

    SET @as_of_date = COALESCE(
        @as_of_date,
        (SELECT DATEADD(day, 1, CAST(MAX(f.invoice_date) AS DATE)) FROM dw.fact_sales AS f)
    );

    IF @as_of_date IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dw.fact_sales AS f WHERE f.invoice_date < @as_of_date)
    BEGIN
        SET @message = CONCAT(N'mart.BuildCohortRetention: no sale before @as_of_date ', CONVERT(NVARCHAR(10), @as_of_date, 23), N'.');
        THROW 50211, @message, 1;
    END;

    SELECT @last_month = MAX(d.month_start)
    FROM dw.fact_sales AS f
    INNER JOIN dw.dim_date AS d ON d.date_key = f.date_key
    WHERE f.invoice_date < @as_of_date;

    BEGIN TRY
        BEGIN TRANSACTION;

        TRUNCATE TABLE mart.cohort_retention;

        WITH sale_month AS (
            SELECT f.customer_id AS customer_id, d.month_start AS activity_month, f.revenue AS revenue
            FROM dw.fact_sales AS f
            INNER JOIN dw.dim_date AS d ON d.date_key = f.date_key
            WHERE f.invoice_date < @as_of_date
        ),
        first_month AS (
            SELECT m.customer_id AS customer_id, MIN(m.activity_month) AS cohort_month
            FROM sale_month AS m
            GROUP BY m.customer_id
        ),
        cohort AS (
            SELECT c.cohort_month AS cohort_month, COUNT(*) AS cohort_size
            FROM first_month AS c
            GROUP BY c.cohort_month
        ),
        activity AS (
            SELECT
                c.cohort_month AS cohort_month,
                m.activity_month AS activity_month,
                COUNT(DISTINCT m.customer_id) AS active_customers,
                SUM(m.revenue) AS revenue
            FROM sale_month AS m
            INNER JOIN first_month AS c ON c.customer_id = m.customer_id
            GROUP BY c.cohort_month, m.activity_month
        ),
        calendar_month AS (
            SELECT DISTINCT d.month_start AS month_start
            FROM dw.dim_date AS d
            WHERE d.month_start <= @last_month
        )
        INSERT INTO mart.cohort_retention (
            cohort_month, month_index, activity_month, cohort_size, active_customers, retention_rate, revenue, batch_id
        )
        SELECT
            c.cohort_month AS cohort_month,
            DATEDIFF(month, c.cohort_month, k.month_start) AS month_index,
            k.month_start AS activity_month,
            c.cohort_size AS cohort_size,
            COALESCE(a.active_customers, 0) AS active_customers,
            CAST(ROUND(CAST(COALESCE(a.active_customers, 0) AS DECIMAL(18, 4)) / c.cohort_size, 4) AS DECIMAL(7, 4)) AS retention_rate,
            CAST(COALESCE(a.revenue, 0) AS DECIMAL(19, 4)) AS revenue,
            @batch_id AS batch_id
        FROM cohort AS c
        INNER JOIN calendar_month AS k ON k.month_start >= c.cohort_month
        LEFT JOIN activity AS a ON a.cohort_month = c.cohort_month AND a.activity_month = k.month_start;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
