"""The pipeline lock: two runs never load the same warehouse at once.

    with pipeline_lock(url, wait_seconds=0):      # raises PipelineLocked if another run holds it
        ...load, build, read the marts...

Embedded DuckDB: an exclusive lock (the `filelock` library: flock on Linux and macOS, msvcrt on
Windows) on ``<database file>.lock`` beside the database; ``<database file>.lock.holder`` says
who holds it, for the message. The operating system releases the lock when the holding process
ends, however it ends - a killed run never leaves a stale lock behind.
SQL Server: ``EXEC etl.GetPipelineLock`` (``sp_getapplock``, owned by the session) on a
connection kept open for the whole run; closing it releases the lock.
An in-memory DuckDB belongs to one process and needs no lock.

The lock is re-entrant within a thread, so a flow that holds it can run another flow that takes
it too (the main flow runs the load flow).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy.engine import make_url

import warehouse
from etl.deploy import deploy_if_changed
from warehouse.errors import ProcedureError, UnknownProcedure, UsageError

POLL_SECONDS = 0.5
_HOLDER = re.compile(r"process (?P<pid>\d+) on (?P<host>\S+)")  # what _holder_text writes
LOCKED_BY_ANOTHER_RUN = 50022  # etl.GetPipelineLock's error number

_held: dict[tuple[str, int], int] = {}  # (lock name, thread id) -> depth
_held_guard = threading.Lock()


class PipelineLocked(UsageError):
    """Another pipeline run holds the lock on this warehouse."""


@contextmanager
def pipeline_lock(url: str, *, wait_seconds: float = 0, on_wait=None) -> Iterator[None]:
    """Hold the pipeline lock of the warehouse at `url` for the block. Waits up to
    `wait_seconds` for a run that holds it (calling `on_wait(message)` once), then raises
    PipelineLocked with a message naming the holder."""
    name = _lock_name(url)
    if name is None:
        yield
        return
    key = (name, threading.get_ident())
    with _held_guard:
        depth = _held.get(key, 0)
        _held[key] = depth + 1
    try:
        if depth:
            yield
            return
        acquire = _file_lock if name.startswith("file:") else _applock
        with acquire(url, name, wait_seconds, on_wait):
            yield
    finally:
        with _held_guard:
            if _held[key] == 1:
                del _held[key]
            else:
                _held[key] -= 1


def _lock_name(url: str) -> str | None:
    parsed = make_url(url)
    if parsed.drivername == "duckdb":
        database = parsed.database or ":memory:"
        return None if database == ":memory:" else "file:" + str(Path(database).resolve()) + ".lock"
    return "applock:" + url


@contextmanager
def _file_lock(url: str, name: str, wait_seconds: float, on_wait) -> Iterator[None]:
    path = Path(name.removeprefix("file:"))
    path.parent.mkdir(parents=True, exist_ok=True)
    holder_file = path.with_name(path.name + ".holder")
    lock = FileLock(path, poll_interval=POLL_SECONDS)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not wait_seconds:
            raise _locked(path, holder_file, waited=False) from None
        if on_wait is not None:
            on_wait(f"waiting up to {wait_seconds:g} s for the pipeline run that holds the lock ({_holder(holder_file)})")
        try:
            lock.acquire(timeout=wait_seconds)
        except Timeout:
            raise _locked(path, holder_file, waited=True) from None
    try:
        holder_file.write_text(_holder_text(), encoding="utf-8")
        yield
    finally:
        holder_file.unlink(missing_ok=True)
        lock.release()


def _locked(path: Path, holder_file: Path, *, waited: bool) -> PipelineLocked:
    return PipelineLocked(
        f"another pipeline run holds the lock on this warehouse ({_holder(holder_file)}; lock file {path}). "
        + ("It did not finish within the wait; " if waited else "")
        + "try again when it has finished."
    )


def pipeline_run_holding(database: Path, pid: int | None = None) -> str | None:
    """Who holds the lock of the embedded warehouse file `database`, as that run wrote it beside
    the file (``process 123 on host since ...``); None when no run says so, or when `pid` - the
    process the database itself names as holding the file - is another process on this host
    (the text is stale: a run killed before it could remove it)."""
    try:
        text = Path(str(Path(database).resolve()) + ".lock.holder").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    said = _HOLDER.match(text)
    if said and pid is not None and said["host"] == socket.gethostname() and int(said["pid"]) != pid:
        return None
    return text or None


def _holder_text() -> str:
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"process {os.getpid()} on {socket.gethostname()} since {started}"


def _holder(holder_file: Path) -> str:
    try:
        text = holder_file.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        text = ""
    return text or "a process that is starting"


@contextmanager
def _applock(url: str, name: str, wait_seconds: float, on_wait) -> Iterator[None]:
    if on_wait is not None and wait_seconds:
        on_wait(f"taking the pipeline lock (sp_getapplock), waiting up to {wait_seconds:g} s for a run that holds it")
    with warehouse.connect(url) as engine:  # this session owns the lock until it closes
        try:
            try:
                engine.execute("etl.GetPipelineLock", wait_seconds=int(wait_seconds))
            except UnknownProcedure:  # a new database: deploy and take the lock
                deploy_if_changed(engine)
                engine.execute("etl.GetPipelineLock", wait_seconds=int(wait_seconds))
        except ProcedureError as error:
            if error.number == LOCKED_BY_ANOTHER_RUN:
                raise PipelineLocked(
                    f"another pipeline run holds the lock on this warehouse (sp_getapplock 'cip.pipeline'): {error.message}"
                ) from None
            raise
        try:
            yield
        finally:
            engine.execute("etl.ReleasePipelineLock")
