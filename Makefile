# newsflow — two commands: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench reliability clean lock

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/newsflow demo

lint: $(STAMP)
	$(BIN)/ruff check pipeline dags tests bench
	$(BIN)/ruff format --check pipeline dags tests bench

test: lint
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/newsflow bench --quick --out bench/results.json

reliability: $(STAMP)
	NEWSFLOW_SOAK=1 $(BIN)/python -m pytest -q tests/reliability

# Re-resolve the lock (needs uv); the lock records exact versions and hashes, no index URLs.
lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 --no-header -o requirements.lock

clean:
	rm -rf $(VENV) .newsflow
