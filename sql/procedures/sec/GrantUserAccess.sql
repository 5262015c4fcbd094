/*
sec.GrantUserAccess - let a user see one country, one region or all countries (row-level security).

The grant is read by the Power BI dynamic role (through sec.user_country_access, at the next
dataset refresh) and, on SQL Server, by the security policy in sql/sqlserver/ (at once).
A region grant covers the region's countries as they are at query time, new ones included.

Parameters
    @user_principal_name  NVARCHAR(256)  the user's sign-in name (UPN), e.g. ann@contoso.com;
                                         stored in lower case; required
    @country              NVARCHAR(60)   a country as exported (EIRE) or as shown (Ireland)
    @region               NVARCHAR(30)   United Kingdom, Europe or Rest of World
    @all_countries        BIT            1: every country (a global viewer)
    Give exactly one of @country, @region, @all_countries = 1.
Result set
    the user's grants after the change: user_principal_name, scope_type, scope_value, granted_at
Idempotent
    granting what the user already has changes nothing (granted_at is kept).
Errors
    50301  @user_principal_name is missing or not of the form name@domain
    50302  not exactly one of @country, @region, @all_countries = 1
    50303  @country is not in dw.dim_country (load the data first, or check the spelling)
    50304  @region is not United Kingdom, Europe or Rest of World
Returns 0.
*/
CREATE OR ALTER PROCEDURE sec.GrantUserAccess
    @user_principal_name NVARCHAR(256) = NULL,
    @country NVARCHAR(60) = NULL,
    @region NVARCHAR(30) = NULL,
    @all_countries BIT = 0
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    DECLARE @message NVARCHAR(2048);
    DECLARE @upn NVARCHAR(256);
    DECLARE @scope_type NVARCHAR(10);
    DECLARE @scope_value NVARCHAR(60);

    SET @upn = LOWER(LTRIM(RTRIM(@user_principal_name)));
    IF @upn IS NULL OR @upn NOT LIKE N'_%@_%'
    BEGIN
        THROW 50301, N'sec.GrantUserAccess: @user_principal_name must be a user principal name such as ann@contoso.com.', 1;
    END;

    IF (CASE WHEN @country IS NULL THEN 0 ELSE 1 END)
        + (CASE WHEN @region IS NULL THEN 0 ELSE 1 END)
        + (CASE WHEN @all_countries = 1 THEN 1 ELSE 0 END) <> 1
    BEGIN
        THROW 50302, N'sec.GrantUserAccess: give exactly one of @country, @region or @all_countries = 1.', 1;
    END;

    IF @country IS NOT NULL
    BEGIN
        SET @scope_type = N'country';
        SET @scope_value = (
            SELECT MIN(c.country_name)
            FROM dw.dim_country AS c
            WHERE c.country_name = @country OR c.display_name = @country
        );
        IF @scope_value IS NULL
        BEGIN
            SET @message = CONCAT(
                N'sec.GrantUserAccess: no country ', @country,
                N' in dw.dim_country (country_name or display_name); check the spelling, or load the data first.'
            );
            THROW 50303, @message, 1;
        END;
    END;

    IF @region IS NOT NULL
    BEGIN
        IF @region NOT IN (N'United Kingdom', N'Europe', N'Rest of World')
        BEGIN
            SET @message = CONCAT(N'sec.GrantUserAccess: no region ', @region, N'; the regions are United Kingdom, Europe and Rest of World.');
            THROW 50304, @message, 1;
        END;
        SET @scope_type = N'region';
        SET @scope_value = @region;
    END;

    IF @all_countries = 1
    BEGIN
        SET @scope_type = N'all';
        SET @scope_value = N'*';
    END;

    BEGIN TRY
        BEGIN TRANSACTION;

        INSERT INTO sec.user_access (user_principal_name, scope_type, scope_value, granted_at)
        SELECT @upn, @scope_type, @scope_value, SYSUTCDATETIME()
        WHERE NOT EXISTS (
            SELECT 1
            FROM sec.user_access AS a
            WHERE a.user_principal_name = @upn
              AND a.scope_type = @scope_type
              AND a.scope_value = @scope_value
        );

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    SELECT
        a.user_principal_name AS user_principal_name,
        a.scope_type AS scope_type,
        a.scope_value AS scope_value,
        a.granted_at AS granted_at
    FROM sec.user_access AS a
    WHERE a.user_principal_name = @upn
    ORDER BY a.scope_type, a.scope_value;

    RETURN 0;
END;
GO
