# newsflow — two commands: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench reliability clean lock system-tools

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

test: lint system-tools
	$(BIN)/python -m pytest -q

# System tools some tests drive, from Debian's packages: docker-compose (v1, validates the compose
# file without an engine) and chromium (renders the HTML report). Installed here, never by the
# tests, and only as root with apt (CI runs as root); elsewhere the tests say how to get them.
SYSTEM_TOOLS := docker-compose:docker-compose chromium:chromium
system-tools:
	@for pair in $(SYSTEM_TOOLS); do cmd=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$cmd >/dev/null 2>&1 && continue; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -qq --no-install-recommends $$pkg >/dev/null 2>&1 \
	      || { apt-get update -qq && apt-get install -y -qq --no-install-recommends $$pkg >/dev/null; } \
	      || echo "note: could not install $$pkg"; \
	  else echo "note: $$cmd is not installed; the tests that need it say how to get it"; fi; \
	done

bench: $(STAMP)
	$(BIN)/newsflow bench --quick --out bench/results.json

reliability: $(STAMP)
	NEWSFLOW_SOAK=1 $(BIN)/python -m pytest -q tests/reliability

# Re-resolve the lock (needs uv); the lock records exact versions and hashes, no index URLs.
lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 --no-header -o requirements.lock

clean:
	rm -rf $(VENV) .newsflow

# Rebuild the shipped German NER model (pipeline/extract/models/de_newsflow_ner) from the
# GermEval 2014 / LER corpora: CPU only, fixed seed; see pipeline/extract/training/train.py.
DE_NER_DATA ?= ../shared/data/de-ner
.PHONY: train-de
train-de: $(STAMP)
	$(BIN)/python -m pipeline.extract.training.train --data $(DE_NER_DATA)
