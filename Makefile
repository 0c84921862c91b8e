# Parcours — the two commands a newcomer needs are `make run` and `make test`.
# Works with GNU make on Debian (Python 3.11) and on any machine with python3.11 or python3.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The interpreter that creates .venv: python3.11 when present, else python3.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST := 127.0.0.1
PORT := 8501

.PHONY: help install run test migrate seed check-db lint bench sample-report clean distclean

help:
	@echo "make install    create .venv and install what the app needs (again when requirements change)"
	@echo "make run        install if needed, migrate, load demo data if empty, start http://$(HOST):$(PORT)"
	@echo "make test       ruff check, then the whole pytest suite (SQLite, PostgreSQL, pages, browser)"
	@echo "make migrate    apply the database migrations"
	@echo "make seed       load the demo data into an empty database (FORCE=1: replace demo data)"
	@echo "make check-db   is the database ready? revision, row-level security, API roles, indexes, pool"
	@echo "make lint       ruff check"
	@echo "make bench      every screen on a generated network (SIZE=S, M or L), then the data version's write cost, axis scores, share-link lookups, pool checks, steering, peers"
	@echo "make sample-report  rebuild docs/reports/: a demo territory's journey report in French and English"
	@echo "make clean      remove caches and test artefacts (keeps .venv and data/)"
	@echo "make distclean  clean, and remove .venv too"

# --- virtual environment: created once, reinstalled only when a requirements file changes ---

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.11 not found: install python3 (3.11 or later)." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Could not create $(VENV): on Debian, install python3-venv (apt-get install python3-venv)." >&2; \
		exit 1; }

# The stamp files remember which requirements were installed last.
$(VENV)/.installed-runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-runtime

install: $(VENV)/.installed-runtime

# --- the two commands ---------------------------------------------------------------------

run: $(VENV)/.installed-runtime
	$(PY) -m lib.cli migrate
	$(PY) -m lib.cli seed --auto
	exec $(VENV)/bin/streamlit run deploy/streamlit_app.py --server.address $(HOST) --server.port $(PORT) --server.headless true

# Lint problems do not hide test results: both run, and either one failing fails the target
# (with pytest's own exit code when it fails, 5 included: "no tests collected" is a failure).
test: $(VENV)/.installed-dev
	@echo "$(VENV)/bin/ruff check ."; lint=0; $(VENV)/bin/ruff check . || lint=$$?; \
	echo "$(VENV)/bin/pytest"; $(VENV)/bin/pytest || exit $$?; \
	if [ $$lint -ne 0 ]; then echo "ruff check failed (see above)." >&2; exit $$lint; fi

# --- the others ---------------------------------------------------------------------------

migrate: $(VENV)/.installed-runtime
	$(PY) -m lib.cli migrate

seed: $(VENV)/.installed-runtime
	$(PY) -m lib.cli seed $(if $(filter 1,$(FORCE)),--force)

check-db: $(VENV)/.installed-runtime
	$(PY) -m lib.cli check-db

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .

# SIZE=S (seconds), M or L (the network of issue 12: long to generate).
SIZE ?= S
bench: $(VENV)/.installed-runtime
	$(PY) -m bench.screens --size $(SIZE)
	$(PY) -m bench.network_version
	$(PY) -m bench.axis_scores
	$(PY) -m bench.campaign_lookup
	$(PY) -m bench.pool_ping
	$(PY) -m bench.steering
	$(PY) -m bench.peers_screen
	$(PY) -m bench.report

sample-report: $(VENV)/.installed-runtime
	$(PY) -m lib.demo.sample_report

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .hypothesis bench/results test-artifacts

distclean: clean
	rm -rf $(VENV)
