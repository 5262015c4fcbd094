-- etl.cleaning_ledger: the data-quality ledger of every batch - raw rows and revenue per source, disposition and rule.
CREATE TABLE etl.cleaning_ledger
(
    batch_id        BIGINT          NOT NULL,
    source          NVARCHAR(200)   NOT NULL,
    disposition     NVARCHAR(20)    NOT NULL,
    rule_name       NVARCHAR(60)    NOT NULL,
    row_count       BIGINT          NOT NULL,
    revenue         DECIMAL(19, 2)  NOT NULL,
    CONSTRAINT PK_etl_cleaning_ledger PRIMARY KEY CLUSTERED (batch_id, source, rule_name),
    CONSTRAINT FK_etl_cleaning_ledger_batch_id_etl_batch FOREIGN KEY (batch_id) REFERENCES etl.batch (batch_id),
    CONSTRAINT CK_etl_cleaning_ledger_disposition CHECK (disposition IN (N'sale', N'return', N'excluded')),
    CONSTRAINT CK_etl_cleaning_ledger_row_count CHECK (row_count >= 0)
);
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Data-quality ledger per batch: for each source, rows in = sale + return + excluded rows, per cleaning rule.',
    @level0type = N'SCHEMA', @level0name = N'etl', @level1type = N'TABLE', @level1name = N'cleaning_ledger';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Revenue of the rows (quantity x unit price as exported), to the cent.',
    @level0type = N'SCHEMA', @level0name = N'etl', @level1type = N'TABLE', @level1name = N'cleaning_ledger',
    @level2type = N'COLUMN', @level2name = N'revenue';
GO
