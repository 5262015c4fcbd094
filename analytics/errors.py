"""Errors of the analytics that are about the data, not the code."""


class NotEnoughData(ValueError):
    """The data cannot support this analysis yet (too short a period, no Champions, one class).

    A pipeline skips the analysis with this message instead of failing: a small monthly drop or a
    demo data set is not an error.
    """
