"""A bad input file stops a deployment's run with one line in Prefect's log, naming the file and
the fix; the traceback is only at debug level. A bug keeps its traceback."""

from __future__ import annotations

import logging

import pytest

from flows.load_warehouse import load_warehouse
from flows.one_line_errors import PREFECT_RUN_LOGGERS
from flows.parameters import PipelineParameters


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def prefect_log():
    handler = Collect()
    loggers = [logging.getLogger(name) for name in PREFECT_RUN_LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


def test_a_file_with_the_wrong_columns_fails_the_run_with_one_line(workspace, prefect_log):
    bad = workspace / "orders.csv"
    bad.write_text("InvoiceNo,StockCode\n1,2\n", encoding="utf-8")
    state = load_warehouse(PipelineParameters(inputs=[bad]), return_state=True)
    assert state.is_failed()
    errors = [line for line in prefect_log.lines if line.startswith("ERROR")]
    assert errors, prefect_log.lines
    assert all("Traceback" not in line for line in errors)
    assert any("orders.csv: missing required column(s) Description" in line for line in errors)
    assert "orders.csv: missing required column(s)" in state.message
