-- etl.deployment: one row per deploy of sql/ by the pipeline, with the fingerprint of sql/ (SHA-256
-- of every file's path and content). The pipeline deploys again only when the fingerprint changed.
CREATE TABLE etl.deployment
(
    deployment_id    BIGINT          IDENTITY(1, 1) NOT NULL,
    sql_fingerprint  NVARCHAR(64)    NOT NULL,
    files_run        INT             NOT NULL,
    deployed_at      DATETIME2(3)    NOT NULL,
    CONSTRAINT PK_etl_deployment PRIMARY KEY CLUSTERED (deployment_id)
);
GO
