"""The command line's terminal output: logging in plain words, progress bars, one-line errors.

Progress bars draw only on an interactive terminal, so CI logs and pipes stay clean; the deeper
layers report progress through `core.progress`, which `progress_bar` listens to.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from core.progress import Update

stdout = Console(width=None if sys.stdout.isatty() else 120)  # results; pipes and CI logs get full tables
console = Console(stderr=True, width=None if sys.stderr.isatty() else 160)  # logs and progress
error_console = Console(stderr=True, soft_wrap=True)  # one-line errors, never wrapped mid-path


class StepFormatter(logging.Formatter):
    """Names the step a Prefect record comes from (`build: Finished in state Completed()`), as the
    Prefect UI does; other records are the message alone."""

    def format(self, record: logging.LogRecord) -> str:
        message = super().format(record)
        step = getattr(record, "task_name", None) or getattr(record, "flow_name", None)
        return f"{step}: {message}" if step and step != "<unknown>" else message


def setup_logging(level: str = "INFO") -> None:
    """Send log records to the terminal as readable, timestamped lines."""
    handler = RichHandler(console=console, show_path=False, markup=False, log_time_format="[%X]")
    handler.setFormatter(StepFormatter("%(message)s"))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)


@contextmanager
def progress_bar(description: str, total: int | None, unit_bytes: bool = False) -> Iterator[Update]:
    """A progress bar for one long step (a `core.progress` listener); yields `update(done)`."""
    columns = [TextColumn("{task.description}"), BarColumn(), TaskProgressColumn()]
    columns += [DownloadColumn()] if unit_bytes else []
    columns += [TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done: bar.update(task, completed=done)


def fail(message: str, code: int = 2, *, label: str = "error") -> NoReturn:
    """Print one red `error: ...` line on stderr and exit: 2 for what the user can fix, 1 for failures."""
    error_console.print(f"[bold red]{escape(label)}:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)
