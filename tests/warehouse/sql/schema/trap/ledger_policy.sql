-- SQL Server only: row-level security on trap.ledger.
CREATE SECURITY POLICY trap.ledger_policy
    ADD FILTER PREDICATE trap.fn_visible_note(note) ON trap.ledger
    WITH (STATE = ON);
GO
