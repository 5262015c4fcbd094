-- dw.dim_country: one row per country name found in the exports, with a display name and a region.
CREATE TABLE dw.dim_country
(
    country_key     INT             NOT NULL,
    country_name    NVARCHAR(60)    NOT NULL,
    display_name    NVARCHAR(60)    NOT NULL,
    region          NVARCHAR(30)    NOT NULL,
    batch_id        BIGINT          NOT NULL,
    CONSTRAINT PK_dw_dim_country PRIMARY KEY CLUSTERED (country_key),
    CONSTRAINT UQ_dw_dim_country_country_name UNIQUE NONCLUSTERED (country_name),
    CONSTRAINT CK_dw_dim_country_region CHECK (region IN (N'United Kingdom', N'Europe', N'Rest of World'))
);
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Countries as exported (country_name, e.g. EIRE) with the name to show (Ireland) and a region for row-level security.',
    @level0type = N'SCHEMA', @level0name = N'dw', @level1type = N'TABLE', @level1name = N'dim_country';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'United Kingdom, Europe or Rest of World: the unit of row-level security.',
    @level0type = N'SCHEMA', @level0name = N'dw', @level1type = N'TABLE', @level1name = N'dim_country',
    @level2type = N'COLUMN', @level2name = N'region';
GO
