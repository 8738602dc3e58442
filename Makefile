# Needle Drop. `make run` for a working site, `make test` for the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
WORKERS ?= 4
BENCH_RELEASES ?= 100000

# An interpreter of 3.12 or newer: pyenv's choice from .python-version when pyenv is here,
# otherwise the newest python3.1x on PATH.
PYTHON_FOR_VENV := $(shell \
	if command -v pyenv >/dev/null 2>&1 && pyenv which python >/dev/null 2>&1; then pyenv which python; \
	else for p in python3.14 python3.13 python3.12 python3; do command -v $$p >/dev/null 2>&1 && { command -v $$p; break; }; done; fi)

.PHONY: help run test lint serve bench bench-small venv db demo clean-db stop

help:
	@echo "make run          install, migrate, load demo data and serve on http://127.0.0.1:8000"
	@echo "make test         run the whole test suite (browser tests included)"
	@echo "make lint         ruff check, ruff format --check and pip-audit"
	@echo "make serve        gunicorn with production settings on 127.0.0.1:8000"
	@echo "make bench        benchmark at $(BENCH_RELEASES) releases; make bench-small at 10,000"

$(PY):
	@test -n "$(PYTHON_FOR_VENV)" || { echo "No Python found. Install Python 3.12 or newer."; exit 1; }
	@$(PYTHON_FOR_VENV) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
		echo "Needle Drop needs Python 3.12 or newer; $(PYTHON_FOR_VENV) is $$($(PYTHON_FOR_VENV) --version 2>&1)."; \
		echo "Install python3.12 (or newer), or pyenv with the version in .python-version."; exit 1; }
	$(PYTHON_FOR_VENV) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --group dev .
	@touch $(STAMP)

venv: $(STAMP)

.env:
	@echo "Writing a development .env (DEBUG on, fresh SECRET_KEY)."
	@printf 'DEBUG=True\nSECRET_KEY=%s\nALLOWED_HOSTS=127.0.0.1,localhost\nSERVE_MEDIA=True\nLOG_FORMAT=text\n' \
		"$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env

db: venv .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py ensure_admin

run: db
	$(PY) manage.py runserver 127.0.0.1:8000

test: venv
	@bash scripts/ensure-chromium.sh
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@bash scripts/audit-dependencies.sh $(VENV)/bin/pip-audit

# The production web command: DEBUG is forced off whatever .env says.
serve: venv
	DEBUG=False $(PY) manage.py collectstatic --noinput -v0
	DEBUG=False $(PY) manage.py migrate --noinput
	DEBUG=False SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-False} SERVE_MEDIA=$${SERVE_MEDIA:-True} \
		$(VENV)/bin/gunicorn config.wsgi:application --config config/gunicorn.py --bind 127.0.0.1:8000

bench: venv
	$(PY) bench/run.py --releases $(BENCH_RELEASES)

bench-small: venv
	$(PY) bench/run.py --releases 10000
