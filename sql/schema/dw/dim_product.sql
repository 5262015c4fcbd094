-- dw.dim_product: one row per stock code, with one canonical description and the product type.
CREATE TABLE dw.dim_product
(
    stock_code      NVARCHAR(20)    NOT NULL,
    description     NVARCHAR(200)   NULL,
    product_type    NVARCHAR(30)    NOT NULL,
    batch_id        BIGINT          NOT NULL,
    CONSTRAINT PK_dw_dim_product PRIMARY KEY CLUSTERED (stock_code)
);
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Products by stock code (upper case). description: the one used on most lines of the latest batch carrying the code.',
    @level0type = N'SCHEMA', @level0name = N'dw', @level1type = N'TABLE', @level1name = N'dim_product';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'product, postage, manual, fee, discount, commission, ... as classified by cleaning.',
    @level0type = N'SCHEMA', @level0name = N'dw', @level1type = N'TABLE', @level1name = N'dim_product',
    @level2type = N'COLUMN', @level2name = N'product_type';
GO
