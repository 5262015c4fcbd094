"""Customer Intelligence Pipeline: settings, console helpers and the `cip` command line.

`cip.settings` and `cip.console` are the ground floor that every other package may import;
`cip.cli` is the top floor and is imported by nothing.
"""
