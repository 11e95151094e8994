# Two entry points, both from a fresh clone (Python 3.11+ on PATH as python3):
#   make run    install everything, start a local reference server with demo data, open the app
#   make test   install everything, run the whole test suite
# make lock recompiles requirements/*.txt after a change of the ranges in the pyproject files
# (make lock UPGRADE=--upgrade takes the newest releases the ranges allow).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LOCAL_PACKAGES := -e ./protocol -e ./central -e .
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --quiet \
	--custom-compile-command "make lock" \
	--no-emit-package perisai-protocol --no-emit-package perisai-central --no-emit-package perisai-agent

.PHONY: install run lint test bench lock clean

install: $(STAMP)

# The locked requirements (every file pinned by hash), then the project's own three
# packages without their dependencies: what is installed is exactly what the lock says.
$(STAMP): requirements/app.txt pyproject.toml protocol/pyproject.toml central/pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/app.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation $(LOCAL_PACKAGES)
	touch $(STAMP)

run: install
	$(PY) -m agent_app demo

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

test: lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

bench: install
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/store_bench.py

lock: install
	$(VENV)/bin/uv pip compile requirements/app.in $(LOCK_FLAGS) $(UPGRADE) -o requirements/app.txt
	$(VENV)/bin/uv pip compile requirements/central.in $(LOCK_FLAGS) $(UPGRADE) \
		-c requirements/app.txt -o requirements/central.txt

clean:
	rm -rf $(VENV) build dist .pytest_cache
