-- dw.dim_customer: one row per customer id seen on a sale or a return line.
CREATE TABLE dw.dim_customer
(
    customer_id         INT             NOT NULL,
    country             NVARCHAR(60)    NOT NULL,
    country_key         INT             NOT NULL,
    first_purchase_at   DATETIME2(0)    NULL,
    last_purchase_at    DATETIME2(0)    NULL,
    batch_id            BIGINT          NOT NULL,
    CONSTRAINT PK_dw_dim_customer PRIMARY KEY CLUSTERED (customer_id)
);
-- country_key has no FOREIGN KEY constraint on purpose: etl.LoadCustomerDimension takes it from
-- dw.dim_country (INNER JOIN), and DuckDB refuses to update a foreign-key column of a row other
-- tables reference - a customer who buys again from another country in a later drop.
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Customers. country: of the most recent sale line (of the most recent return line for a customer who never bought).',
    @level0type = N'SCHEMA', @level0name = N'dw', @level1type = N'TABLE', @level1name = N'dim_customer';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'First sale invoice time; NULL for a customer with returns only (bought before the data starts).',
    @level0type = N'SCHEMA', @level0name = N'dw', @level1type = N'TABLE', @level1name = N'dim_customer',
    @level2type = N'COLUMN', @level2name = N'first_purchase_at';
GO
