-- SQL Server only: a row-level security predicate.
CREATE FUNCTION trap.fn_visible_note(@note AS NVARCHAR(400))
RETURNS TABLE
WITH SCHEMABINDING
AS
RETURN SELECT 1 AS is_visible WHERE @note <> N'hidden';
GO
