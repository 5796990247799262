# newsflow — two commands: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench reliability clean lock compose-tool

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/newsflow demo

lint: $(STAMP)
	$(BIN)/ruff check pipeline dags tests bench deploy
	$(BIN)/ruff format --check pipeline dags tests bench deploy

test: lint compose-tool
	$(BIN)/python -m pytest -q

# tests/deploy validates docker-compose.yml with Debian's docker-compose (v1, needs no engine).
# Installed here, never by the tests, and only as root with apt (CI runs as root).
compose-tool:
	@command -v docker-compose >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null \
	  || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null; }; }; } \
	  || echo "note: docker-compose is not installed; tests/deploy will say how to get it"

bench: $(STAMP)
	$(BIN)/newsflow bench --quick --out bench/results.json

reliability: $(STAMP)
	NEWSFLOW_SOAK=1 $(BIN)/python -m pytest -q tests/reliability

# Re-resolve the lock (needs uv); the lock records exact versions and hashes, no index URLs.
lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 --no-header -o requirements.lock

clean:
	rm -rf $(VENV) .newsflow
