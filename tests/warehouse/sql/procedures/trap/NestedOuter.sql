/*
trap.NestedOuter - opens a transaction, writes, EXECs trap.NestedInner (which nests its own), commits.
*/
CREATE OR ALTER PROCEDURE trap.NestedOuter
    @inner_fails BIT = 0
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    DECLARE @inner_return_code INT;

    BEGIN TRY
        BEGIN TRANSACTION;

        INSERT INTO trap.ledger (note, amount) VALUES (N'outer', 1.00);

        EXEC @inner_return_code = trap.NestedInner @fail = @inner_fails;

        SELECT @inner_return_code AS inner_return_code, @@TRANCOUNT AS outer_trancount;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    SELECT @@TRANCOUNT AS trancount_after_commit;

    RETURN 0;
END;
GO
