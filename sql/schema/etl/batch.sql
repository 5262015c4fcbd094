-- etl.batch: one row per load; its batch_id is stamped on every row the load writes (lineage).
CREATE TABLE etl.batch
(
    batch_id        BIGINT          IDENTITY(1, 1) NOT NULL,
    source          NVARCHAR(400)   NOT NULL,
    started_at      DATETIME2(3)    NOT NULL,
    finished_at     DATETIME2(3)    NULL,
    status          NVARCHAR(20)    NOT NULL CONSTRAINT DF_etl_batch_status DEFAULT (N'running'),
    rows_read       BIGINT          NULL,
    rows_loaded     BIGINT          NULL,
    rows_rejected   BIGINT          NULL,
    content_hash    NVARCHAR(64)    NULL,
    CONSTRAINT PK_etl_batch PRIMARY KEY CLUSTERED (batch_id),
    CONSTRAINT UQ_etl_batch_source_started_at UNIQUE NONCLUSTERED (source, started_at),
    CONSTRAINT CK_etl_batch_status CHECK (status IN (N'running', N'succeeded', N'failed'))
);
GO

-- SQL Server only (skipped on DuckDB): etl.StartBatch looks batches up by content hash.
CREATE NONCLUSTERED INDEX IX_etl_batch_content_hash ON etl.batch (content_hash);
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Lineage: one row per load, opened by etl.StartBatch and closed by etl.FinishBatch.',
    @level0type = N'SCHEMA', @level0name = N'etl', @level1type = N'TABLE', @level1name = N'batch';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'running, succeeded or failed.',
    @level0type = N'SCHEMA', @level0name = N'etl', @level1type = N'TABLE', @level1name = N'batch',
    @level2type = N'COLUMN', @level2name = N'status';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'SHA-256 (hex) of the loaded file''s bytes: a file whose content already has a succeeded batch is not loaded again (etl.StartBatch). NULL for loads that are not files.',
    @level0type = N'SCHEMA', @level0name = N'etl', @level1type = N'TABLE', @level1name = N'batch',
    @level2type = N'COLUMN', @level2name = N'content_hash';
GO
