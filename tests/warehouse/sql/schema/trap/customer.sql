CREATE TABLE trap.customer
(
    customer_code   NVARCHAR(20)    NOT NULL,
    customer_name   NVARCHAR(100)   NOT NULL,
    CONSTRAINT PK_trap_customer PRIMARY KEY CLUSTERED (customer_code)
);
GO
