"""A mistake the user can fix reads as one line in Prefect's log, not as a wall of tracebacks.

Prefect logs every exception that ends a task or flow run with its traceback, in the terminal
and in the UI. For a `UserError` (a bad file, a bad setting: the message names it and the fix)
the traceback only buries the message, so this filter turns such a record into the message
alone and logs the traceback at DEBUG level (`CIP_LOG_LEVEL=DEBUG` or the UI's debug view shows
it). Any other exception keeps its traceback: it is a bug.
"""

from __future__ import annotations

import logging

from core.errors import UserError

PREFECT_RUN_LOGGERS = ("prefect.task_runs", "prefect.flow_runs")


class UserErrorsInOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, UserError) and record.levelno >= logging.ERROR:
            logger = logging.getLogger(record.name)
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("traceback of: %s", error, exc_info=record.exc_info)
            record.msg, record.args, record.exc_info, record.exc_text = str(error), (), None, None
        return True


def install() -> None:
    """Attach the filter to Prefect's run loggers (once)."""
    for name in PREFECT_RUN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, UserErrorsInOneLine) for f in logger.filters):
            logger.addFilter(UserErrorsInOneLine())
