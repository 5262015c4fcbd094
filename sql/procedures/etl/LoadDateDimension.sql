/*
etl.LoadDateDimension - add the calendar days of the staged batch to dw.dim_date.

Adds every day of the whole calendar years spanned by the batch's staged sale and return lines
(1 January of the first year to 31 December of the last), so facts, months and cohorts always
find their day. Days already present are left as they are (insert-if-missing).

Parameters
    @batch_id  BIGINT  the batch whose staged lines give the years; required
Result set
    none
Idempotent
    a second call adds nothing.
Errors
    50101  @batch_id is missing
    50102  no batch has this @batch_id
Returns 0.
*/
CREATE OR ALTER PROCEDURE etl.LoadDateDimension
    @batch_id BIGINT = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    DECLARE @first_date DATE;
    DECLARE @last_date DATE;

    EXEC etl.CheckBatch @procedure = N'etl.LoadDateDimension', @batch_id = @batch_id;

    SELECT
        @first_date = DATEFROMPARTS(YEAR(MIN(l.invoice_date)), 1, 1),
        @last_date = DATEFROMPARTS(YEAR(MAX(l.invoice_date)), 12, 31)
    FROM (
        SELECT s.invoice_date AS invoice_date FROM stg.sale_line AS s WHERE s.batch_id = @batch_id
        UNION ALL
        SELECT r.invoice_date AS invoice_date FROM stg.return_line AS r WHERE r.batch_id = @batch_id
    ) AS l;

    BEGIN TRY
        BEGIN TRANSACTION;

        -- days = @first_date + 0 .. 99,999 (five digits of a VALUES table), cut at @last_date
        INSERT INTO dw.dim_date (
            date_key, calendar_date, calendar_year, calendar_quarter, calendar_month, month_name,
            month_start, year_month, day_of_month, iso_day_of_week, day_name, is_weekend, batch_id
        )
        SELECT
            YEAR(d.calendar_date) * 10000 + MONTH(d.calendar_date) * 100 + DAY(d.calendar_date) AS date_key,
            d.calendar_date AS calendar_date,
            YEAR(d.calendar_date) AS calendar_year,
            DATEPART(quarter, d.calendar_date) AS calendar_quarter,
            MONTH(d.calendar_date) AS calendar_month,
            CASE MONTH(d.calendar_date)
                WHEN 1 THEN N'January' WHEN 2 THEN N'February' WHEN 3 THEN N'March'
                WHEN 4 THEN N'April' WHEN 5 THEN N'May' WHEN 6 THEN N'June'
                WHEN 7 THEN N'July' WHEN 8 THEN N'August' WHEN 9 THEN N'September'
                WHEN 10 THEN N'October' WHEN 11 THEN N'November' ELSE N'December'
            END AS month_name,
            DATEFROMPARTS(YEAR(d.calendar_date), MONTH(d.calendar_date), 1) AS month_start,
            LEFT(CONVERT(NVARCHAR(10), d.calendar_date, 23), 7) AS year_month,
            DAY(d.calendar_date) AS day_of_month,
            d.days_since_monday % 7 + 1 AS iso_day_of_week,
            CASE d.days_since_monday % 7
                WHEN 0 THEN N'Monday' WHEN 1 THEN N'Tuesday' WHEN 2 THEN N'Wednesday'
                WHEN 3 THEN N'Thursday' WHEN 4 THEN N'Friday' WHEN 5 THEN N'Saturday' ELSE N'Sunday'
            END AS day_name,
            CAST(CASE WHEN d.days_since_monday % 7 >= 5 THEN 1 ELSE 0 END AS BIT) AS is_weekend,
            @batch_id AS batch_id
        FROM (
            SELECT
                DATEADD(day, n.day_number, @first_date) AS calendar_date,
                DATEDIFF(day, DATEFROMPARTS(1900, 1, 1), DATEADD(day, n.day_number, @first_date)) AS days_since_monday
            FROM (
                SELECT d0.digit + 10 * d1.digit + 100 * d2.digit + 1000 * d3.digit + 10000 * d4.digit AS day_number
                FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS d0 (digit)
                CROSS JOIN (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS d1 (digit)
                CROSS JOIN (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS d2 (digit)
                CROSS JOIN (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS d3 (digit)
                CROSS JOIN (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS d4 (digit)
            ) AS n
            WHERE n.day_number <= DATEDIFF(day, @first_date, @last_date)
        ) AS d
        WHERE NOT EXISTS (SELECT 1 FROM dw.dim_date AS e WHERE e.calendar_date = d.calendar_date);

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
