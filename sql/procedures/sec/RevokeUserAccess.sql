/*
sec.RevokeUserAccess - take back a user's row-level security grants: one, or all of them.

Parameters
    @user_principal_name  NVARCHAR(256)  the user's sign-in name (any case); required
    @country              NVARCHAR(60)   revoke this country grant (as exported or as shown)
    @region               NVARCHAR(30)   revoke this region grant
    @all_countries        BIT            1: revoke the all-countries grant
    With none of @country, @region, @all_countries = 1: revoke every grant of the user.
Result set
    one row: user_principal_name, revoked (grants removed), remaining (grants left)
Idempotent
    revoking what the user does not have removes nothing (revoked = 0) and is not an error.
Errors
    50301  @user_principal_name is missing
    50302  more than one of @country, @region, @all_countries = 1
Returns 0.
*/
CREATE OR ALTER PROCEDURE sec.RevokeUserAccess
    @user_principal_name NVARCHAR(256) = NULL,
    @country NVARCHAR(60) = NULL,
    @region NVARCHAR(30) = NULL,
    @all_countries BIT = 0
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    DECLARE @upn NVARCHAR(256);
    DECLARE @before INT;
    DECLARE @country_name NVARCHAR(60);

    SET @upn = LOWER(LTRIM(RTRIM(@user_principal_name)));
    IF @upn IS NULL OR @upn = N''
    BEGIN
        THROW 50301, N'sec.RevokeUserAccess: @user_principal_name is required.', 1;
    END;

    IF (CASE WHEN @country IS NULL THEN 0 ELSE 1 END)
        + (CASE WHEN @region IS NULL THEN 0 ELSE 1 END)
        + (CASE WHEN @all_countries = 1 THEN 1 ELSE 0 END) > 1
    BEGIN
        THROW 50302, N'sec.RevokeUserAccess: give at most one of @country, @region or @all_countries = 1.', 1;
    END;

    -- a grant stores the exported name; accept the displayed one too
    SET @country_name = COALESCE(
        (SELECT MIN(c.country_name) FROM dw.dim_country AS c WHERE c.display_name = @country),
        @country
    );
    SET @before = (SELECT COUNT(*) FROM sec.user_access AS a WHERE a.user_principal_name = @upn);

    BEGIN TRY
        BEGIN TRANSACTION;

        DELETE FROM sec.user_access
        WHERE user_principal_name = @upn
          AND (
              (@country IS NULL AND @region IS NULL AND @all_countries = 0)
              OR (scope_type = N'country' AND scope_value = @country_name)
              OR (scope_type = N'region' AND scope_value = @region)
              OR (scope_type = N'all' AND @all_countries = 1)
          );

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    SELECT
        @upn AS user_principal_name,
        @before - COUNT(*) AS revoked,
        COUNT(*) AS remaining
    FROM sec.user_access AS a
    WHERE a.user_principal_name = @upn;

    RETURN 0;
END;
GO
