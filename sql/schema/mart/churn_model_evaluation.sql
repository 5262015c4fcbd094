-- mart.churn_model_evaluation: out-of-time evaluation of the churn model against the recency-only baseline.
CREATE TABLE mart.churn_model_evaluation
(
    scorer                  NVARCHAR(40)    NOT NULL,
    roc_auc                 DECIMAL(9, 6)   NOT NULL,
    top_decile_lift         DECIMAL(9, 6)   NOT NULL,
    train_cutoff_date       DATE            NOT NULL,
    test_cutoff_date        DATE            NOT NULL,
    horizon_days            INT             NOT NULL,
    train_customers         INT             NOT NULL,
    test_customers          INT             NOT NULL,
    train_churn_rate        DECIMAL(9, 6)   NOT NULL,
    test_churn_rate         DECIMAL(9, 6)   NOT NULL,
    run_id                  NVARCHAR(40)    NOT NULL,
    batch_id                BIGINT          NOT NULL,
    CONSTRAINT PK_mart_churn_model_evaluation PRIMARY KEY CLUSTERED (scorer)
);
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'One row per scorer (model, recency baseline): fitted at train_cutoff_date, scored on the customers at the later test_cutoff_date, labels = no purchase in the following horizon_days. Replaced whole by each analytics run.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'churn_model_evaluation';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Churn rate of the 10% scored riskiest over the overall churn rate of the test customers.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'churn_model_evaluation',
    @level2type = N'COLUMN', @level2name = N'top_decile_lift';
GO
