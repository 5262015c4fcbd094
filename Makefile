# One command runs the pipeline, one runs the tests; each sets itself up first.
# Needs only Python 3.11+ and make. Override the interpreter with `make PYTHON=python3.12 ...`.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: setup run test bench lock clean

setup: $(STAMP)

# Re-installs only when the lock or the project metadata changed.
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required; run make PYTHON=python3.11 ...")'
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: setup
	$(VENV)/bin/cip run

test: setup
	$(VENV)/bin/python -m pytest

bench: setup
	$(VENV)/bin/python bench/ingest.py
	$(VENV)/bin/python bench/scv.py

# Regenerate requirements.lock from requirements.in (needs network access to PyPI).
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile requirements.in -o requirements.lock --python-version 3.11 --no-header

clean:
	rm -rf $(VENV) .cip output .pytest_cache .hypothesis *.egg-info
