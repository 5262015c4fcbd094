"""The error type for mistakes a user can fix (bad input, bad setting).

The CLI prints these as one clear message and exits with status 2; anything else is a bug
and keeps its traceback.
"""


class UserError(Exception):
    """A problem with the user's input or configuration, with what to do about it."""
