"""Terminal output shared by every layer: logging in plain words and progress bars.

Progress bars draw only on an interactive terminal, so CI logs and pipes stay clean.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

console = Console(stderr=True)


def setup_logging(level: str = "INFO") -> None:
    """Send log records to the terminal as readable, timestamped lines."""
    logging.basicConfig(
        level=level.upper(),
        format="%(message)s",
        datefmt="[%X]",
        handlers=[RichHandler(console=console, show_path=False, markup=False)],
        force=True,
    )


@contextmanager
def progress_bar(description: str, total: int | None, *, unit_bytes: bool = False) -> Iterator["ProgressReporter"]:
    """A progress bar for one long step; ``update(done)`` reports the absolute amount done."""
    columns = [TextColumn("{task.description}"), BarColumn(), TaskProgressColumn()]
    columns += [DownloadColumn()] if unit_bytes else []
    columns += [TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task(description, total=total)
        yield ProgressReporter(progress, task)


class ProgressReporter:
    def __init__(self, progress: Progress, task) -> None:
        self._progress = progress
        self._task = task

    def update(self, done: int) -> None:
        self._progress.update(self._task, completed=done)
