/*
trap.AddTwoEntries - two inserts in one transaction; the second one fails on the unique
note when both notes are equal, after the first one has been written.
*/
CREATE OR ALTER PROCEDURE trap.AddTwoEntries
    @first_note NVARCHAR(400),
    @second_note NVARCHAR(400)
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    BEGIN TRY
        BEGIN TRANSACTION;
        INSERT INTO trap.ledger (note, amount) VALUES (@first_note, 1.00);
        INSERT INTO trap.ledger (note, amount) VALUES (@second_note, 2.00);
        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
