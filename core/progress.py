"""Progress of long steps, told to whoever listens.

Deep layers (cleaning reads files for minutes) report through `progress(...)`; the command line
installs a listener that draws bars (`listening_with`). Without a listener nothing is drawn, so
Prefect workers, tests and libraries stay quiet - and no layer imports the one above it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

Update = Callable[[int], None]  # update(done): the absolute amount done so far
# listener(description, total, unit_bytes) -> a context giving the step's update function
Listener = Callable[[str, "int | None", bool], AbstractContextManager[Update]]

_listener: Listener | None = None


def _ignore(done: int) -> None:
    pass


@contextmanager
def progress(description: str, total: int | None, *, unit_bytes: bool = False) -> Iterator[Update]:
    """Report one long step: ``with progress("Cleaning x.csv", size) as update: ... update(done)``."""
    context = _listener(description, total, unit_bytes) if _listener else nullcontext(_ignore)
    with context as update:
        yield update


@contextmanager
def listening_with(listener: Listener) -> Iterator[None]:
    """Send every step's progress to `listener` for the block."""
    global _listener
    previous, _listener = _listener, listener
    try:
        yield
    finally:
        _listener = previous
