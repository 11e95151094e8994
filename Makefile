# Two entry points, both from a fresh clone (Python 3.11+ on PATH as python3):
#   make run    install everything, start a local reference server with demo data, open the app
#   make test   install everything, run the whole test suite
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run lint test bench clean

install: $(STAMP)

$(STAMP): pyproject.toml protocol/pyproject.toml central/pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ./protocol -e ./central -e '.[dev]'
	touch $(STAMP)

run: install
	$(PY) -m agent_app demo

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

test: lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

bench: install
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/store_bench.py

clean:
	rm -rf $(VENV) build dist .pytest_cache
