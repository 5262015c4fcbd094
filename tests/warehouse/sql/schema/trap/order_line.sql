CREATE TABLE trap.order_line
(
    order_line_id   INT             IDENTITY(100, 10) NOT NULL,
    quantity        INT             NOT NULL,
    unit_price      DECIMAL(10, 2)  NOT NULL,
    line_total      AS (quantity * unit_price) PERSISTED,
    CONSTRAINT PK_trap_order_line PRIMARY KEY CLUSTERED (order_line_id)
);
GO
