# Two commands matter: `make run` (try the app) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app wsgi
# `make run PORT=8000`: the port served, and (exported) the one links in e-mails point to.
PORT ?= 5000
export PORT

.PHONY: run test lint install bench translations clean worker

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=python3"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Byte-compiled once here: with PYTHONDONTWRITEBYTECODE set (as on this project's machines)
# every `flask` command and worker would otherwise compile the app's ~220 modules at start-up
# (0.3-0.4 s of CPU each time); a changed file is recompiled here, or read from source if newer.
install: $(STAMP) translations
	@$(BIN)/python -m compileall -q recall wsgi.py >/dev/null

translations: $(STAMP)
	@$(BIN)/pybabel compile --quiet -d translations -f 2>/dev/null || $(BIN)/pybabel compile -d translations -f

## make run [PORT=5000]: SQLite in instance/, inline notifications, mail to instance/mail/ (and the
## console, except the demo's own).
run: install
	$(FLASK) db upgrade
	$(FLASK) seed
	$(FLASK) demo load --if-empty
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

## make test: real PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379); see tests/conftest.py.
## Three worker processes (pytest-xdist) by default, on two cores: the browser walks and the
## real-process tests wait on I/O (two workers left a core idle: 10 min 7 s against 7 min 44 s).
## PYTEST_WORKERS=0 runs in this process only.
## worksteal: the walks that take minutes do not leave the other worker idle at the end.
PYTEST_WORKERS ?= 3
test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

## make lint: the formatter and the linter, both as configured in pyproject.toml; zero findings.
lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

worker: install
	$(FLASK) worker

## make bench: signing throughput (driven by wrk, installed when missing), the automatic checks
## (BENCH_SIGNATURES, BENCH_VOTERS for a quick run), confirmation mail throughput, public pages at 1M signatures.
bench: install
	@command -v wrk >/dev/null 2>&1 || apt-get install -y wrk || sudo apt-get install -y wrk
	$(BIN)/python benchmarks/signing.py
	$(BIN)/python benchmarks/checks.py
	$(BIN)/python benchmarks/pages.py
	$(BIN)/python benchmarks/export.py
	$(BIN)/python benchmarks/notifications.py

clean:
	rm -rf $(VENV) instance/recall.db
