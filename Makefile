# Zhongtai developer commands. `make serve` and `make test` work on a fresh
# machine with Python >= 3.11 (and PostgreSQL + RabbitMQ for the tests).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup serve test check lint typecheck protos protos-check buf-lint unit clean

$(BIN)/zhongtai: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/zhongtai

# Every service in one process on SQLite (./data) with the in-process broker.
serve: setup
	$(BIN)/zhongtai serve

# Everything CI runs: generated code fresh, lint, types, protos, all tests.
test: setup check
	$(BIN)/pytest -q

check: protos-check lint typecheck buf-lint

protos: setup
	$(BIN)/python scripts/gen_protos.py

protos-check: setup
	$(BIN)/python scripts/gen_protos.py --check

lint: setup
	$(BIN)/ruff check .

typecheck: setup
	$(BIN)/mypy

buf-lint:
	bash scripts/buf-lint.sh

unit: setup
	$(BIN)/pytest -q tests/unit

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
