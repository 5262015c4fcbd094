-- Schema stg: Staging: typed, cleaned rows bulk-loaded from the raw exports, one table per entity.
CREATE SCHEMA stg;
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Staging: typed, cleaned rows bulk-loaded from the raw exports, one table per entity.',
    @level0type = N'SCHEMA', @level0name = N'stg';
GO
