/*
etl.LoadCountryDimension - MERGE the countries of the staged batch into dw.dim_country.

A new country gets the next country_key (in alphabetical order of the new names, so keys are
the same on every engine and every re-run), a display name and a region: United Kingdom,
Europe or Rest of World (the unit of row-level security). The export's spelling is kept in
country_name (EIRE), the display name is the common one (Ireland). The known names are listed
below; any other country is shown as exported, in Rest of World. A known country whose display
name or region changed in this list is updated.

Parameters
    @batch_id  BIGINT  the batch whose staged lines give the countries; required
Result set
    none
Idempotent
    a second call changes nothing.
Errors
    50101  @batch_id is missing
    50102  no batch has this @batch_id
Returns 0.
*/
CREATE OR ALTER PROCEDURE etl.LoadCountryDimension
    @batch_id BIGINT = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    DECLARE @last_country_key INT;

    EXEC etl.CheckBatch @procedure = N'etl.LoadCountryDimension', @batch_id = @batch_id;

    BEGIN TRY
        BEGIN TRANSACTION;

        SELECT @last_country_key = COALESCE(MAX(c.country_key), 0)
        FROM dw.dim_country AS c;

        MERGE dw.dim_country AS target
        USING (
            SELECT
                COALESCE(
                    e.country_key,
                    @last_country_key + ROW_NUMBER() OVER (
                        PARTITION BY CASE WHEN e.country_key IS NULL THEN 1 ELSE 0 END
                        ORDER BY n.country_name
                    )
                ) AS country_key,
                n.country_name AS country_name,
                COALESCE(k.display_name, n.country_name) AS display_name,
                COALESCE(k.region, N'Rest of World') AS region
            FROM (
                SELECT s.country AS country_name FROM stg.sale_line AS s WHERE s.batch_id = @batch_id
                UNION
                SELECT r.country AS country_name FROM stg.return_line AS r WHERE r.batch_id = @batch_id
            ) AS n
            LEFT JOIN dw.dim_country AS e ON e.country_name = n.country_name
            LEFT JOIN (VALUES
                (N'United Kingdom', N'United Kingdom', N'United Kingdom'),
                (N'EIRE', N'Ireland', N'Europe'),
                (N'Ireland', N'Ireland', N'Europe'),
                (N'Channel Islands', N'Channel Islands', N'Europe'),
                (N'European Community', N'European Community', N'Europe'),
                (N'Austria', N'Austria', N'Europe'),
                (N'Belgium', N'Belgium', N'Europe'),
                (N'Bulgaria', N'Bulgaria', N'Europe'),
                (N'Croatia', N'Croatia', N'Europe'),
                (N'Cyprus', N'Cyprus', N'Europe'),
                (N'Czech Republic', N'Czech Republic', N'Europe'),
                (N'Denmark', N'Denmark', N'Europe'),
                (N'Estonia', N'Estonia', N'Europe'),
                (N'Finland', N'Finland', N'Europe'),
                (N'France', N'France', N'Europe'),
                (N'Germany', N'Germany', N'Europe'),
                (N'Greece', N'Greece', N'Europe'),
                (N'Hungary', N'Hungary', N'Europe'),
                (N'Iceland', N'Iceland', N'Europe'),
                (N'Italy', N'Italy', N'Europe'),
                (N'Latvia', N'Latvia', N'Europe'),
                (N'Lithuania', N'Lithuania', N'Europe'),
                (N'Luxembourg', N'Luxembourg', N'Europe'),
                (N'Malta', N'Malta', N'Europe'),
                (N'Netherlands', N'Netherlands', N'Europe'),
                (N'Norway', N'Norway', N'Europe'),
                (N'Poland', N'Poland', N'Europe'),
                (N'Portugal', N'Portugal', N'Europe'),
                (N'Romania', N'Romania', N'Europe'),
                (N'Slovakia', N'Slovakia', N'Europe'),
                (N'Slovenia', N'Slovenia', N'Europe'),
                (N'Spain', N'Spain', N'Europe'),
                (N'Sweden', N'Sweden', N'Europe'),
                (N'Switzerland', N'Switzerland', N'Europe'),
                (N'RSA', N'South Africa', N'Rest of World'),
                (N'USA', N'United States', N'Rest of World')
            ) AS k (country_name, display_name, region) ON k.country_name = n.country_name
        ) AS source
            ON target.country_name = source.country_name
        WHEN MATCHED AND (target.display_name <> source.display_name OR target.region <> source.region) THEN
            UPDATE SET
                target.display_name = source.display_name,
                target.region = source.region,
                target.batch_id = @batch_id
        WHEN NOT MATCHED THEN
            INSERT (country_key, country_name, display_name, region, batch_id)
            VALUES (source.country_key, source.country_name, source.display_name, source.region, @batch_id);

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
