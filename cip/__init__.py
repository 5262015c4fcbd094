"""The `cip` command line: the top floor. It imports the layers below; nothing imports it."""
