-- Schema sec: Row-level security: predicates and policies (SQL Server only).
CREATE SCHEMA sec;
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Row-level security: predicates and policies (SQL Server only).',
    @level0type = N'SCHEMA', @level0name = N'sec';
GO
