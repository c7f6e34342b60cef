# The two commands of the README: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test faults lint bench services install clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Labels' QR codes point at GONGXIAO_PUBLIC_URL: this machine's own address for a local try-out.
run: $(STAMP)
	GONGXIAO_PUBLIC_URL=$${GONGXIAO_PUBLIC_URL:-http://127.0.0.1:8000} $(BIN)/gongxiao demo
	GONGXIAO_PUBLIC_URL=$${GONGXIAO_PUBLIC_URL:-http://127.0.0.1:8000} $(BIN)/gongxiao serve --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

services:
	@bash infra/services/up.sh

test: $(STAMP) lint
	@set -e; eval "$$(bash infra/services/up.sh | sed 's/^/export /')"; \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The fault-injection suite alone (tests/faults, also part of `make test`): it makes a PostgreSQL
# and a Kafka broker of its own, so up.sh is here for the programs and jars it installs.
faults: $(STAMP)
	@set -e; eval "$$(bash infra/services/up.sh | sed 's/^/export /')"; \
	$(BIN)/python -m pytest tests/faults -m faults $(PYTEST_ARGS)

bench: $(STAMP)
	@set -e; eval "$$(bash infra/services/up.sh | sed 's/^/export /')"; \
	bash infra/services/wrk.sh >/dev/null; \
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var
