# The two commands a newcomer runs are `make demo` and `make test`; each builds .venv itself.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv demo serve test lint bench browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# Debian's chromium drives the browser tests (Playwright's own browser downloads do not work here).
browser:
	@bash scripts/ensure-chromium.sh

demo: venv
	$(VENV)/bin/aso demo
	$(VENV)/bin/aso serve --host $(HOST) --port $(PORT)

serve: venv
	$(VENV)/bin/aso serve --host $(HOST) --port $(PORT)

test: venv browser
	$(PY) -m pytest -n 2

lint: venv
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests
	$(VENV)/bin/mypy

bench: venv
	$(PY) -m tests.bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
