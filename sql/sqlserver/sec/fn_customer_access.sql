/*
sec.fn_customer_access (SQL Server only) - the row-level security predicate on a customer_id:
visible when the customer's country is (see sec.fn_country_access). For the customer-level mart
tables, which carry no country_key.
*/
CREATE FUNCTION sec.fn_customer_access(@customer_id INT)
RETURNS TABLE
WITH SCHEMABINDING
AS
RETURN
SELECT 1 AS is_visible
FROM dw.dim_customer AS k
CROSS APPLY sec.fn_country_access(k.country_key) AS v
WHERE k.customer_id = @customer_id;
GO
