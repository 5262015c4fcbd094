-- dw.fact_returns: One row per return or cancellation line (credit note line, negative quantity and revenue).
CREATE TABLE dw.fact_returns
(
    source          NVARCHAR(200)   NOT NULL,
    source_row      BIGINT          NOT NULL,
    invoice_no      NVARCHAR(20)    NOT NULL,
    invoice_date    DATETIME2(0)    NOT NULL,
    date_key        INT             NOT NULL,
    customer_id     INT             NOT NULL,
    country_key     INT             NOT NULL,
    stock_code      NVARCHAR(20)    NOT NULL,
    quantity        INT             NOT NULL,
    unit_price      DECIMAL(19, 4)  NOT NULL,
    revenue         DECIMAL(19, 4)  NOT NULL,
    batch_id        BIGINT          NOT NULL,
    line_key        NVARCHAR(40)    NOT NULL,
    CONSTRAINT PK_dw_fact_returns PRIMARY KEY NONCLUSTERED (source, source_row),
    CONSTRAINT UQ_dw_fact_returns_line_key UNIQUE NONCLUSTERED (line_key),
    CONSTRAINT FK_dw_fact_returns_date_key_dw_dim_date FOREIGN KEY (date_key) REFERENCES dw.dim_date (date_key),
    CONSTRAINT FK_dw_fact_returns_customer_id_dw_dim_customer FOREIGN KEY (customer_id) REFERENCES dw.dim_customer (customer_id),
    CONSTRAINT FK_dw_fact_returns_country_key_dw_dim_country FOREIGN KEY (country_key) REFERENCES dw.dim_country (country_key),
    CONSTRAINT FK_dw_fact_returns_stock_code_dw_dim_product FOREIGN KEY (stock_code) REFERENCES dw.dim_product (stock_code),
    CONSTRAINT CK_dw_fact_returns_quantity CHECK (quantity < 0),
    CONSTRAINT CK_dw_fact_returns_unit_price CHECK (unit_price >= 0)
);
GO

-- SQL Server only (skipped on DuckDB): the facts are scanned and aggregated by customer, month
-- and product, never updated row by row - a clustered columnstore compresses them about ten-fold
-- and serves those scans in batch mode; the nonclustered primary key keeps single-line lookups.
CREATE CLUSTERED COLUMNSTORE INDEX CCI_dw_fact_returns ON dw.fact_returns;
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'One row per return or cancellation line (credit note line, negative quantity and revenue).',
    @level0type = N'SCHEMA', @level0name = N'dw', @level1type = N'TABLE', @level1name = N'fact_returns';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'The return line as numbered in the cleaned export (source, source_row): the business key, so reloading a source replaces its lines.',
    @level0type = N'SCHEMA', @level0name = N'dw', @level1type = N'TABLE', @level1name = N'fact_returns',
    @level2type = N'COLUMN', @level2name = N'source_row';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Content key of the line (see stg.return_line.line_key): unique, so a line carried by two overlapping drops is stored once - the later load replaces it.',
    @level0type = N'SCHEMA', @level0name = N'dw', @level1type = N'TABLE', @level1name = N'fact_returns',
    @level2type = N'COLUMN', @level2name = N'line_key';
GO
