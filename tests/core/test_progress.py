"""Progress reaches whoever listens through `core.progress`, never through an import of the CLI."""

from __future__ import annotations

from contextlib import contextmanager

from analytics.cleaning.clean_exports import clean_exports
from core.progress import listening_with, progress
from tests.analytics.raw_fixtures import ONLINE_RETAIL, TYPED_ROWS, write_csv


class Recorder:
    """A listener that keeps every step it is told about and every update."""

    def __init__(self):
        self.steps: list[tuple[str, int | None, bool]] = []
        self.updates: list[int] = []

    @contextmanager
    def __call__(self, description, total, unit_bytes):
        self.steps.append((description, total, unit_bytes))
        yield self.updates.append


def test_without_a_listener_progress_is_silent():
    with progress("nothing listens", 10) as update:
        update(5)  # no error, nothing drawn


def test_cleaning_tells_the_listener_its_file_and_progress_in_bytes(tmp_path):
    export = write_csv(TYPED_ROWS, tmp_path / "drop.csv", ONLINE_RETAIL)
    recorder = Recorder()
    with listening_with(recorder):
        clean_exports([export], tmp_path / "clean")
    size = export.stat().st_size
    assert recorder.steps == [("Cleaning drop.csv", size, True)]
    assert recorder.updates[-1] == size  # the whole file read


def test_the_listener_is_removed_after_the_block(tmp_path):
    recorder = Recorder()
    with listening_with(recorder):
        pass
    with progress("after", 1) as update:
        update(1)
    assert recorder.steps == []
