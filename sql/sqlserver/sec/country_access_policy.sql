/*
sec.country_access_policy (SQL Server only) - row-level security for people who query the
warehouse directly: the same user -> country/region mapping (sec.user_access, maintained with
sec.GrantUserAccess / sec.RevokeUserAccess) that drives Power BI's dynamic role.

Filters reads of every table holding customer- or transaction-level rows. Aggregates without a
customer (cohort retention, product associations, segment validation, model evaluation) stay
company-wide, as in the Power BI model. Members of cip_all_countries and db_owner see all rows.
*/
CREATE SECURITY POLICY sec.country_access_policy
ADD FILTER PREDICATE sec.fn_country_access(country_key) ON dw.dim_customer,
ADD FILTER PREDICATE sec.fn_country_access(country_key) ON dw.fact_sales,
ADD FILTER PREDICATE sec.fn_country_access(country_key) ON dw.fact_returns,
ADD FILTER PREDICATE sec.fn_customer_access(customer_id) ON mart.customer_rfm,
ADD FILTER PREDICATE sec.fn_customer_access(customer_id) ON mart.customer_churn_risk,
ADD FILTER PREDICATE sec.fn_customer_access(customer_id) ON mart.customer_whale
WITH (STATE = ON, SCHEMABINDING = ON);
GO
