-- sec.user_country_access: every grant expanded to the countries it covers; what Power BI's dynamic role and the SQL Server policy read.
CREATE OR ALTER VIEW sec.user_country_access
AS
SELECT DISTINCT
    a.user_principal_name AS user_principal_name,
    c.country_key AS country_key,
    c.country_name AS country_name,
    c.region AS region
FROM sec.user_access AS a
INNER JOIN dw.dim_country AS c
    ON (a.scope_type = N'country' AND c.country_name = a.scope_value)
    OR (a.scope_type = N'region' AND c.region = a.scope_value)
    OR a.scope_type = N'all';
GO
