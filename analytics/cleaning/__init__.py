"""Cleaning raw exports: the rules that decide each row, the ledger that counts them, the step that writes the streams."""
