-- mart.product_association: association rules between products bought on the same sale invoice (market basket analysis).
CREATE TABLE mart.product_association
(
    rule_rank                   INT             NOT NULL,
    antecedent_codes            NVARCHAR(200)   NOT NULL,
    consequent_codes            NVARCHAR(200)   NOT NULL,
    antecedent_descriptions     NVARCHAR(2000)  NOT NULL,
    consequent_descriptions     NVARCHAR(2000)  NOT NULL,
    antecedent_items            SMALLINT        NOT NULL,
    consequent_items            SMALLINT        NOT NULL,
    support                     DECIMAL(19, 10) NOT NULL,
    confidence                  DECIMAL(19, 10) NOT NULL,
    lift                        DECIMAL(19, 10) NOT NULL,
    leverage                    DECIMAL(19, 10) NOT NULL,
    conviction                  DECIMAL(28, 10) NULL,
    antecedent_baskets          INT             NOT NULL,
    consequent_baskets          INT             NOT NULL,
    both_baskets                INT             NOT NULL,
    total_baskets               INT             NOT NULL,
    min_support                 DECIMAL(19, 10) NOT NULL,
    min_confidence              DECIMAL(19, 10) NOT NULL,
    min_lift                    DECIMAL(19, 10) NOT NULL,
    max_len                     SMALLINT        NULL,
    algorithm                   NVARCHAR(20)    NOT NULL,
    max_basket_items            INT             NULL,
    country                     NVARCHAR(60)    NULL,
    run_id                      NVARCHAR(40)    NOT NULL,
    batch_id                    BIGINT          NOT NULL,
    CONSTRAINT PK_mart_product_association PRIMARY KEY CLUSTERED (rule_rank),
    CONSTRAINT UQ_mart_product_association_rule UNIQUE NONCLUSTERED (antecedent_codes, consequent_codes),
    CONSTRAINT CK_mart_product_association_counts CHECK (
        both_baskets > 0 AND both_baskets <= antecedent_baskets AND both_baskets <= consequent_baskets
        AND antecedent_baskets <= total_baskets AND consequent_baskets <= total_baskets
    )
);
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Association rules of the latest analytics run (analytics/marts), replaced whole by each run. Baskets = sale invoices, items = merchandise stock codes; the run parameters are repeated on every row.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'product_association';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'1 = the strongest rule: by lift, then confidence (descending), then codes.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'product_association',
    @level2type = N'COLUMN', @level2name = N'rule_rank';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Stock codes of the left-hand side, sorted, joined with " | " (the descriptions follow the same order).',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'product_association',
    @level2type = N'COLUMN', @level2name = N'antecedent_codes';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'both_baskets / total_baskets: share of baskets holding every item of the rule.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'product_association',
    @level2type = N'COLUMN', @level2name = N'support';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'confidence / (consequent_baskets / total_baskets); 1 = independence.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'product_association',
    @level2type = N'COLUMN', @level2name = N'lift';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'(1 - consequent support) / (1 - confidence); NULL when confidence is 1 (infinite).',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'product_association',
    @level2type = N'COLUMN', @level2name = N'conviction';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Baskets with more distinct products than this were left out (wholesale orders); NULL = every basket.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'product_association',
    @level2type = N'COLUMN', @level2name = N'max_basket_items';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'The analytics run that wrote the row (yyyymmddThhmmssZ-xxxxxxxx, UTC start time); batch_id is the warehouse build it read.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'product_association',
    @level2type = N'COLUMN', @level2name = N'run_id';
GO
