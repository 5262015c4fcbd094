-- mart.cohort_retention: monthly acquisition cohorts x months since acquisition (a full triangle).
CREATE TABLE mart.cohort_retention
(
    cohort_month        DATE            NOT NULL,
    month_index         INT             NOT NULL,
    activity_month      DATE            NOT NULL,
    cohort_size         INT             NOT NULL,
    active_customers    INT             NOT NULL,
    retention_rate      DECIMAL(7, 4)   NOT NULL,
    revenue             DECIMAL(19, 4)  NOT NULL,
    batch_id            BIGINT          NOT NULL,
    CONSTRAINT PK_mart_cohort_retention PRIMARY KEY CLUSTERED (cohort_month, month_index),
    CONSTRAINT CK_mart_cohort_retention_active CHECK (active_customers BETWEEN 0 AND cohort_size)
);
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Cohort = month of first purchase; month_index 0 = that month. Every cohort has a row for every month up to the latest sale month (zeros included).',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'cohort_retention';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'active_customers / cohort_size, rounded to 4 decimals.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'cohort_retention',
    @level2type = N'COLUMN', @level2name = N'retention_rate';
GO
