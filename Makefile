# Croupier: two commands do all the set-up on a machine that has only Python 3.11+.
#   make run   — create .venv, install Croupier, serve the API on the embedded default (SQLite)
#   make test  — create .venv, install with test extras, lint, type-check, run every test
#   make cluster — the whole scale-out topology on loopback in ./cluster (docs/operations.md)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=
# `make pytest` runs the tests in this many pytest-xdist workers (0: in one process), each
# test file in one worker, so that a module's shared server starts once (docs/benchmarks.md).
PYTEST_WORKERS ?= auto
# Where `make cluster` puts the cluster's configs, data, logs and pids.
CLUSTER_DIR ?= $(CURDIR)/cluster
# Your own game files, beside and over the shipped ones (games/README.md): for run and demo.
CROUPIER_GAMES_DIR ?= $(CURDIR)/games

.PHONY: run demo test lint typecheck pytest bench rng-report clean install install-test cluster cluster-down

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Croupier needs Python 3.11+; set PYTHON=python3.11 or newer")'
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "'$(PYTHON) -m venv' failed: on Debian or Ubuntu install python3-venv (apt-get install python3-venv), then retry" >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.python-ok
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.python-ok
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@scripts/ensure-chromium.sh
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: $(VENV)/.installed
	CROUPIER_GAMES_DIR='$(CROUPIER_GAMES_DIR)' $(BIN)/croupier serve

demo: $(VENV)/.installed
	CROUPIER_GAMES_DIR='$(CROUPIER_GAMES_DIR)' $(BIN)/croupier demo

lint: install-test
	$(BIN)/ruff check src tests bench docs/examples
	$(BIN)/ruff format --check src tests bench docs/examples

typecheck: install-test
	$(BIN)/mypy

# pytest exits 5 when it collected no tests: that is a broken suite, not a pass.
pytest: install-test
	@$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$status

test: lint typecheck pytest

# Installs the Debian packages it needs when run as root (apt-get), then prints the endpoints.
cluster: install
	$(BIN)/croupier cluster up --dir '$(CLUSTER_DIR)'

cluster-down: install
	$(BIN)/croupier cluster down --dir '$(CLUSTER_DIR)'

bench: install
	$(BIN)/croupier bench ledger --backend sqlite --seconds 10

# Streams both random sources into dieharder (installed from Debian if missing).
rng-report: install
	@command -v dieharder >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y dieharder; else sudo apt-get update && sudo apt-get install -y dieharder; fi; }
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/rng-report.sh

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis build src/*.egg-info
