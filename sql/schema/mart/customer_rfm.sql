-- mart.customer_rfm: one row per customer with a sale before the as-of date: metrics, RFM scores and code.
CREATE TABLE mart.customer_rfm
(
    customer_id             INT             NOT NULL,
    as_of_date              DATE            NOT NULL,
    first_purchase_at       DATETIME2(0)    NOT NULL,
    last_purchase_at        DATETIME2(0)    NOT NULL,
    recency_days            INT             NOT NULL,
    tenure_days             INT             NOT NULL,
    frequency               INT             NOT NULL,
    monetary                DECIMAL(19, 4)  NOT NULL,
    average_order_value     DECIMAL(19, 4)  NOT NULL,
    return_count            INT             NOT NULL,
    returns_revenue         DECIMAL(19, 4)  NOT NULL,
    net_revenue             DECIMAL(19, 4)  NOT NULL,
    r_score                 SMALLINT        NOT NULL,
    f_score                 SMALLINT        NOT NULL,
    m_score                 SMALLINT        NOT NULL,
    rfm_code                NVARCHAR(3)     NOT NULL,
    batch_id                BIGINT          NOT NULL,
    CONSTRAINT PK_mart_customer_rfm PRIMARY KEY CLUSTERED (customer_id),
    CONSTRAINT CK_mart_customer_rfm_scores CHECK (
        r_score BETWEEN 1 AND 5 AND f_score BETWEEN 1 AND 5 AND m_score BETWEEN 1 AND 5
    )
);
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'RFM per customer as of as_of_date (default: the day after the latest sale), rebuilt whole by mart.BuildCustomerRfm.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'customer_rfm';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'NTILE(5) OVER (ORDER BY recency_days DESC, customer_id): 5 = most recent.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'customer_rfm',
    @level2type = N'COLUMN', @level2name = N'r_score';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'NTILE(5) OVER (ORDER BY frequency, customer_id): 5 = most invoices.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'customer_rfm',
    @level2type = N'COLUMN', @level2name = N'f_score';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'NTILE(5) OVER (ORDER BY monetary, customer_id): 5 = highest revenue.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'customer_rfm',
    @level2type = N'COLUMN', @level2name = N'm_score';
GO
