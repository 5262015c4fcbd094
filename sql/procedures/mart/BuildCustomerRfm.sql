/*
mart.BuildCustomerRfm - rebuild mart.customer_rfm: per customer, the RFM metrics and scores as of a date.

Over the sales and returns before @as_of_date (default: the day after the latest sale):
    recency_days         DATEDIFF(day, last purchase date, @as_of_date)
    tenure_days          DATEDIFF(day, first purchase date, @as_of_date)
    frequency            distinct sale invoices
    monetary             sales revenue
    average_order_value  monetary / frequency, rounded to 4 decimals
    return_count         distinct return invoices (credit notes); returns_revenue their revenue (<= 0)
    net_revenue          monetary + returns_revenue
    r_score              NTILE(5) OVER (ORDER BY recency_days DESC, customer_id)
    f_score              NTILE(5) OVER (ORDER BY frequency, customer_id)
    m_score              NTILE(5) OVER (ORDER BY monetary, customer_id)
    rfm_code             r_score, f_score and m_score as three digits, e.g. 545
Every ordering ends with the unique customer_id, so scores are the same on every engine. The
segment is not stored: mart.single_customer_view looks it up in mart.rfm_segment_map.

Parameters
    @batch_id    BIGINT  the batch the rows are stamped with (lineage); required
    @as_of_date  DATE    the day the metrics are measured at; NULL = day after the latest sale
Result set
    none
Idempotent
    TRUNCATE + rebuild (quintiles depend on the whole population): a re-run gives the same rows.
Errors
    50101  @batch_id is missing
    50102  no batch has this @batch_id
    50211  no sale before @as_of_date
    50212  mart.rfm_segment_map lacks some of the 125 codes (run mart.SeedRfmSegmentMap)
Returns 0.
*/
CREATE OR ALTER PROCEDURE mart.BuildCustomerRfm
    @batch_id BIGINT = NULL,
    @as_of_date DATE = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    DECLARE @message NVARCHAR(2048);

    EXEC etl.CheckBatch @procedure = N'mart.BuildCustomerRfm', @batch_id = @batch_id;

    SET @as_of_date = COALESCE(
        @as_of_date,
        (SELECT DATEADD(day, 1, CAST(MAX(f.invoice_date) AS DATE)) FROM dw.fact_sales AS f)
    );

    IF @as_of_date IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dw.fact_sales AS f WHERE f.invoice_date < @as_of_date)
    BEGIN
        SET @message = CONCAT(N'mart.BuildCustomerRfm: no sale before @as_of_date ', CONVERT(NVARCHAR(10), @as_of_date, 23), N'.');
        THROW 50211, @message, 1;
    END;

    IF (SELECT COUNT(*) FROM mart.rfm_segment_map AS m) < 125
    BEGIN
        THROW 50212, N'mart.BuildCustomerRfm: mart.rfm_segment_map does not cover all 125 RFM codes; run mart.SeedRfmSegmentMap.', 1;
    END;

    BEGIN TRY
        BEGIN TRANSACTION;

        TRUNCATE TABLE mart.customer_rfm;

        INSERT INTO mart.customer_rfm (
            customer_id, as_of_date, first_purchase_at, last_purchase_at, recency_days, tenure_days,
            frequency, monetary, average_order_value, return_count, returns_revenue, net_revenue,
            r_score, f_score, m_score, rfm_code, batch_id
        )
        SELECT
            q.customer_id AS customer_id,
            @as_of_date AS as_of_date,
            q.first_purchase_at AS first_purchase_at,
            q.last_purchase_at AS last_purchase_at,
            q.recency_days AS recency_days,
            q.tenure_days AS tenure_days,
            q.frequency AS frequency,
            q.monetary AS monetary,
            CAST(ROUND(q.monetary / q.frequency, 4) AS DECIMAL(19, 4)) AS average_order_value,
            q.return_count AS return_count,
            q.returns_revenue AS returns_revenue,
            q.monetary + q.returns_revenue AS net_revenue,
            q.r_score AS r_score,
            q.f_score AS f_score,
            q.m_score AS m_score,
            CONCAT(q.r_score, q.f_score, q.m_score) AS rfm_code,
            @batch_id AS batch_id
        FROM (
            SELECT
                m.customer_id AS customer_id,
                m.first_purchase_at AS first_purchase_at,
                m.last_purchase_at AS last_purchase_at,
                m.recency_days AS recency_days,
                m.tenure_days AS tenure_days,
                m.frequency AS frequency,
                m.monetary AS monetary,
                m.return_count AS return_count,
                m.returns_revenue AS returns_revenue,
                NTILE(5) OVER (ORDER BY m.recency_days DESC, m.customer_id) AS r_score,
                NTILE(5) OVER (ORDER BY m.frequency, m.customer_id) AS f_score,
                NTILE(5) OVER (ORDER BY m.monetary, m.customer_id) AS m_score
            FROM (
                SELECT
                    s.customer_id AS customer_id,
                    s.first_purchase_at AS first_purchase_at,
                    s.last_purchase_at AS last_purchase_at,
                    DATEDIFF(day, CAST(s.last_purchase_at AS DATE), @as_of_date) AS recency_days,
                    DATEDIFF(day, CAST(s.first_purchase_at AS DATE), @as_of_date) AS tenure_days,
                    s.frequency AS frequency,
                    s.monetary AS monetary,
                    COALESCE(r.return_count, 0) AS return_count,
                    CAST(COALESCE(r.returns_revenue, 0) AS DECIMAL(19, 4)) AS returns_revenue
                FROM (
                    SELECT
                        f.customer_id AS customer_id,
                        MIN(f.invoice_date) AS first_purchase_at,
                        MAX(f.invoice_date) AS last_purchase_at,
                        COUNT(DISTINCT f.invoice_no) AS frequency,
                        CAST(SUM(f.revenue) AS DECIMAL(19, 4)) AS monetary
                    FROM dw.fact_sales AS f
                    WHERE f.invoice_date < @as_of_date
                    GROUP BY f.customer_id
                ) AS s
                LEFT JOIN (
                    SELECT
                        f.customer_id AS customer_id,
                        COUNT(DISTINCT f.invoice_no) AS return_count,
                        SUM(f.revenue) AS returns_revenue
                    FROM dw.fact_returns AS f
                    WHERE f.invoice_date < @as_of_date
                    GROUP BY f.customer_id
                ) AS r ON r.customer_id = s.customer_id
            ) AS m
        ) AS q;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
