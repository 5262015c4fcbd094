-- stg.sale_line: Clean sale lines of the cleaning step (sales.parquet), bulk-loaded per batch; a heap: the load deletes and appends whole batches.
CREATE TABLE stg.sale_line
(
    batch_id        BIGINT          NOT NULL,
    source          NVARCHAR(200)   NOT NULL,
    source_row      BIGINT          NOT NULL,
    invoice_no      NVARCHAR(20)    NOT NULL,
    stock_code      NVARCHAR(20)    NOT NULL,
    description     NVARCHAR(200)   NULL,
    quantity        INT             NOT NULL,
    invoice_date    DATETIME2(0)    NOT NULL,
    unit_price      DECIMAL(19, 4)  NOT NULL,
    customer_id     INT             NOT NULL,
    country         NVARCHAR(60)    NOT NULL,
    product_type    NVARCHAR(30)    NOT NULL,
    revenue         DECIMAL(19, 4)  NOT NULL,
    line_key        NVARCHAR(40)    NOT NULL
);
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Clean sale lines of the cleaning step (sales.parquet), bulk-loaded per batch; a heap: the load deletes and appends whole batches.',
    @level0type = N'SCHEMA', @level0name = N'stg', @level1type = N'TABLE', @level1name = N'sale_line';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'The etl.batch that staged the row; etl.ClearStaging empties staging before each load.',
    @level0type = N'SCHEMA', @level0name = N'stg', @level1type = N'TABLE', @level1name = N'sale_line',
    @level2type = N'COLUMN', @level2name = N'batch_id';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Content key of the line, computed by the loader (etl/load.py): a hash of invoice_no, stock_code, quantity, unit_price, invoice_date and customer_id, then -n for the n-th such line of the file. The same line in two overlapping drops has the same key.',
    @level0type = N'SCHEMA', @level0name = N'stg', @level1type = N'TABLE', @level1name = N'sale_line',
    @level2type = N'COLUMN', @level2name = N'line_key';
GO
