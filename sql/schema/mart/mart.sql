-- Schema mart: Business-facing views and tables read by analytics and Power BI.
CREATE SCHEMA mart;
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Business-facing views and tables read by analytics and Power BI.',
    @level0type = N'SCHEMA', @level0name = N'mart';
GO
