-- stg.cleaning_ledger: the cleaning ledger of one load (rows and revenue per source and rule), as staged.
CREATE TABLE stg.cleaning_ledger
(
    batch_id        BIGINT          NOT NULL,
    source          NVARCHAR(200)   NOT NULL,
    disposition     NVARCHAR(20)    NOT NULL,
    rule_name       NVARCHAR(60)    NOT NULL,
    row_count       BIGINT          NOT NULL,
    revenue         DECIMAL(19, 2)  NOT NULL
);
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'The cleaning ledger of one load as staged: every raw row counted once, per source and rule.',
    @level0type = N'SCHEMA', @level0name = N'stg', @level1type = N'TABLE', @level1name = N'cleaning_ledger';
GO
