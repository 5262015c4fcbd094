-- mart.customer_churn_risk: churn probability and risk band of every customer with a sale before the as-of date.
CREATE TABLE mart.customer_churn_risk
(
    customer_id             INT             NOT NULL,
    as_of_date              DATE            NOT NULL,
    model_cutoff_date       DATE            NOT NULL,
    horizon_days            INT             NOT NULL,
    churn_probability       DECIMAL(9, 6)   NOT NULL,
    risk_band               NVARCHAR(10)    NOT NULL,
    net_revenue             DECIMAL(19, 4)  NOT NULL,
    is_high_value_at_risk   BIT             NOT NULL,
    run_id                  NVARCHAR(40)    NOT NULL,
    batch_id                BIGINT          NOT NULL,
    CONSTRAINT PK_mart_customer_churn_risk PRIMARY KEY CLUSTERED (customer_id),
    CONSTRAINT CK_mart_customer_churn_risk_band CHECK (risk_band IN (N'low', N'medium', N'high')),
    CONSTRAINT CK_mart_customer_churn_risk_probability CHECK (churn_probability BETWEEN 0 AND 1)
);
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'P(no purchase in the horizon_days after as_of_date) per customer, from history before as_of_date only. The model is fitted at model_cutoff_date (= as_of_date - horizon_days, whose labels are known). Replaced whole by each analytics run; the Single Customer View joins it on customer_id and as_of_date.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'customer_churn_risk';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'high: probability >= 0.6; medium: >= 0.3; low: below 0.3.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'customer_churn_risk',
    @level2type = N'COLUMN', @level2name = N'risk_band';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Sales less returns before as_of_date.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'customer_churn_risk',
    @level2type = N'COLUMN', @level2name = N'net_revenue';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'1 = high risk band and net_revenue at or above its 80th percentile (the run''s high_value_quantile): the list to act on.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'customer_churn_risk',
    @level2type = N'COLUMN', @level2name = N'is_high_value_at_risk';
GO
