/*
trap.NestedInner - a nested transaction: reports @@TRANCOUNT, optionally fails, returns 7.
*/
CREATE OR ALTER PROCEDURE trap.NestedInner
    @fail BIT = 0
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    BEGIN TRY
        BEGIN TRANSACTION;

        INSERT INTO trap.ledger (note, amount) VALUES (N'inner', 2.00);

        SELECT @@TRANCOUNT AS inner_trancount;

        IF @fail = 1
        BEGIN
            THROW 50020, N'trap.NestedInner failed, as asked.', 1;
        END;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 7;
END;
GO
