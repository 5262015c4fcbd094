-- Schema etl: Load machinery: lineage batches and the procedures that move data between layers.
CREATE SCHEMA etl;
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Load machinery: lineage batches and the procedures that move data between layers.',
    @level0type = N'SCHEMA', @level0name = N'etl';
GO
