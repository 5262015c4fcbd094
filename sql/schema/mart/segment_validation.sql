-- mart.segment_validation: the out-of-time test that Champions have the highest future value, one row per segment.
CREATE TABLE mart.segment_validation
(
    segment                 NVARCHAR(40)    NOT NULL,
    segment_order           SMALLINT        NOT NULL,
    customers               INT             NOT NULL,
    in_sample_mean_value    DECIMAL(19, 4)  NOT NULL,
    in_sample_rank          SMALLINT        NOT NULL,
    future_mean_value       DECIMAL(19, 4)  NOT NULL,
    future_mean_ci_low      DECIMAL(19, 4)  NOT NULL,
    future_mean_ci_high     DECIMAL(19, 4)  NOT NULL,
    future_median_value     DECIMAL(19, 4)  NOT NULL,
    returning_share         DECIMAL(9, 6)   NOT NULL,
    future_rank             SMALLINT        NOT NULL,
    mann_whitney_u          DECIMAL(19, 1)  NULL,
    p_value                 DECIMAL(38, 30) NULL,
    p_value_holm            DECIMAL(38, 30) NULL,
    rank_biserial           DECIMAL(9, 6)   NULL,
    kruskal_statistic       DECIMAL(19, 6)  NOT NULL,
    kruskal_p_value         DECIMAL(38, 30) NOT NULL,
    alpha                   DECIMAL(9, 6)   NOT NULL,
    is_supported            BIT             NOT NULL,
    conclusion              NVARCHAR(2000)  NOT NULL,
    cutoff_date             DATE            NOT NULL,
    horizon_months          SMALLINT        NOT NULL,
    run_id                  NVARCHAR(40)    NOT NULL,
    batch_id                BIGINT          NOT NULL,
    CONSTRAINT PK_mart_segment_validation PRIMARY KEY CLUSTERED (segment),
    CONSTRAINT UQ_mart_segment_validation_segment_order UNIQUE NONCLUSTERED (segment_order)
);
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Segments assigned at cutoff_date from sales before it (mart.rfm_segment_map), compared on each customer''s sales revenue in [cutoff_date, cutoff_date + horizon_months). Replaced whole by each analytics run; the run-level figures (Kruskal-Wallis, alpha, verdict, conclusion) repeat on every row.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'segment_validation';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'1 = Champions, then the other segments by future mean value (descending).',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'segment_validation',
    @level2type = N'COLUMN', @level2name = N'segment_order';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Mean sales revenue before the cutoff: the circular in-sample figure, shown beside the out-of-time one.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'segment_validation',
    @level2type = N'COLUMN', @level2name = N'in_sample_mean_value';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Seeded BCa bootstrap confidence interval (1 - alpha) of future_mean_value; future_mean_ci_high is its upper end.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'segment_validation',
    @level2type = N'COLUMN', @level2name = N'future_mean_ci_low';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'One-sided Mann-Whitney U p-value of Champions greater than this segment, Holm-adjusted over all comparisons; NULL on the Champions row. Values below 5E-31 read as 0.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'segment_validation',
    @level2type = N'COLUMN', @level2name = N'p_value_holm';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Rank-biserial correlation (= Cliff''s delta) of Champions against this segment: P(Champion higher) - P(lower).',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'segment_validation',
    @level2type = N'COLUMN', @level2name = N'rank_biserial';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Kruskal-Wallis p-value across all segments (the same on every row). Values below 5E-31 read as 0; the conclusion states it in full.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'segment_validation',
    @level2type = N'COLUMN', @level2name = N'kruskal_p_value';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'1 = supported: Kruskal-Wallis and every Holm-adjusted comparison significant at alpha, and Champions have the highest mean. conclusion says it in words, including when the data do not support it.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'segment_validation',
    @level2type = N'COLUMN', @level2name = N'is_supported';
GO
