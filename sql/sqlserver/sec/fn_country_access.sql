/*
sec.fn_country_access (SQL Server only) - the row-level security predicate on a country_key.

A row is visible when the session's login name (SUSER_SNAME(): the UPN for Entra logins) or
database user name (USER_NAME(): the UPN for contained Entra users) has a grant in
sec.user_access covering the row's country - the same mapping as Power BI's dynamic role -
or when the user is in the role cip_all_countries or db_owner (the pipeline's login must be:
its loads and builds read and delete fact rows of every country).

Schema-bound (a security policy requires it), so it reads the tables, not the
sec.user_country_access view. CREATE, not CREATE OR ALTER: a function a policy uses cannot be
altered; to change it, drop sec.country_access_policy first.
*/
CREATE FUNCTION sec.fn_country_access(@country_key INT)
RETURNS TABLE
WITH SCHEMABINDING
AS
RETURN
SELECT 1 AS is_visible
WHERE IS_MEMBER(N'cip_all_countries') = 1
   OR IS_MEMBER(N'db_owner') = 1
   OR EXISTS (
       SELECT 1
       FROM sec.user_access AS a
       INNER JOIN dw.dim_country AS c
           ON (a.scope_type = N'country' AND c.country_name = a.scope_value)
           OR (a.scope_type = N'region' AND c.region = a.scope_value)
           OR a.scope_type = N'all'
       WHERE a.user_principal_name IN (LOWER(SUSER_SNAME()), LOWER(USER_NAME()))
         AND c.country_key = @country_key
   );
GO
