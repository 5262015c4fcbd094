import logging

import pytest


@pytest.fixture(autouse=True)
def restore_logging():
    """`cip run` configures the root logger (a rich handler at INFO); later tests must not inherit
    it - sqlfluff, for one, logs whole parse trees at INFO and becomes many times slower."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
