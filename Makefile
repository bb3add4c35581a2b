# Hague: `make run` and `make test` work on a fresh machine (Debian, Python 3.11+).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HAGUE_DATA_DIR ?= $(CURDIR)/hague-data

.PHONY: setup system run test test-fast lint typecheck bench clean fuzz

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

system:
	bash scripts/setup-system.sh

setup: system $(STAMP)

run: setup
	$(BIN)/hague init
	$(BIN)/hague demo
	$(BIN)/hague demo-users
	$(BIN)/hague serve

# Three workers on two cores (much of the suite waits on fsync, child processes and PostgreSQL); idle workers
# steal queued tests so the long trials do not leave one worker finishing alone.
test: setup
	$(BIN)/python -m pytest -n 3 --dist worksteal -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q -m "not slow and not browser"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: setup
	$(BIN)/python -m bench

fuzz: setup
	$(BIN)/python -m tests.fuzz.run --minutes 60

clean:
	rm -rf $(VENV) hague-data .pytest_cache .mypy_cache .ruff_cache
