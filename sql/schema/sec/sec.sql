-- Schema sec: Row-level security: who may see which countries (both engines; the SQL Server security policy is in sql/sqlserver/).
CREATE SCHEMA sec;
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Row-level security: the user -> country/region mapping read by Power BI roles and, on SQL Server, by a security policy.',
    @level0type = N'SCHEMA', @level0name = N'sec';
GO
