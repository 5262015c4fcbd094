-- Schema dw: Star schema: conformed dimensions and facts, loaded by the etl procedures.
CREATE SCHEMA dw;
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Star schema: conformed dimensions and facts, loaded by the etl procedures.',
    @level0type = N'SCHEMA', @level0name = N'dw';
GO
