"""Reading raw exports: which export a file is (formats) and its rows in bounded chunks (readers)."""
