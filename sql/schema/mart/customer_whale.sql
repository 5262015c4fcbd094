-- mart.customer_whale: every customer ranked by net revenue; whales = the top share of customers.
CREATE TABLE mart.customer_whale
(
    customer_id                 INT             NOT NULL,
    as_of_date                  DATE            NOT NULL,
    net_revenue                 DECIMAL(19, 4)  NOT NULL,
    revenue_rank                INT             NOT NULL,
    cumulative_revenue_share    DECIMAL(9, 6)   NOT NULL,
    is_whale                    BIT             NOT NULL,
    whale_customer_share        DECIMAL(9, 6)   NOT NULL,
    run_id                      NVARCHAR(40)    NOT NULL,
    batch_id                    BIGINT          NOT NULL,
    CONSTRAINT PK_mart_customer_whale PRIMARY KEY CLUSTERED (customer_id),
    CONSTRAINT UQ_mart_customer_whale_revenue_rank UNIQUE NONCLUSTERED (revenue_rank)
);
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Customers of mart.customer_rfm ranked by net_revenue (sales less returns, ties by customer_id); whales are the first CEILING(whale_customer_share x customers), at least one. Replaced whole by each analytics run; the Single Customer View joins it on customer_id and as_of_date.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'customer_whale';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Net revenue of this customer and every higher-ranked one over the net revenue of all customers.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'customer_whale',
    @level2type = N'COLUMN', @level2name = N'cumulative_revenue_share';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'The definition''s parameter: the share of customers who are whales (0.01 = the top 1%).',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'customer_whale',
    @level2type = N'COLUMN', @level2name = N'whale_customer_share';
GO
