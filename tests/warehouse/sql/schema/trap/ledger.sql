CREATE TABLE trap.ledger
(
    ledger_id   BIGINT          IDENTITY(1, 1) NOT NULL,
    note        NVARCHAR(400)   NOT NULL,
    amount      DECIMAL(18, 2)  NOT NULL,
    CONSTRAINT PK_trap_ledger PRIMARY KEY CLUSTERED (ledger_id),
    CONSTRAINT UQ_trap_ledger_note UNIQUE (note)
);
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Rows written by the trap procedures.',
    @level0type = N'SCHEMA', @level0name = N'trap', @level1type = N'TABLE', @level1name = N'ledger';
GO
