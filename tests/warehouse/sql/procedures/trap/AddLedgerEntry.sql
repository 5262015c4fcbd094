/*
trap.AddLedgerEntry - insert one ledger row; with @fail_after_insert = 1, THROW after the
insert, inside the transaction (the insert must be rolled back).
*/
CREATE OR ALTER PROCEDURE trap.AddLedgerEntry
    @note NVARCHAR(400),
    @amount DECIMAL(18, 2),
    @fail_after_insert BIT = 0
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    BEGIN TRY
        BEGIN TRANSACTION;

        INSERT INTO trap.ledger (note, amount)
        VALUES (@note, @amount);

        IF @fail_after_insert = 1
        BEGIN
            THROW 50010, N'trap.AddLedgerEntry: failing after the insert, as asked.', 1;
        END;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    SELECT l.ledger_id AS ledger_id, l.note AS note, l.amount AS amount
    FROM trap.ledger AS l
    WHERE l.note = @note;

    RETURN 0;
END;
GO
