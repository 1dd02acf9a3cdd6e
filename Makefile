# regiozorg: the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PY ?= $(shell pyenv which python 2>/dev/null || command -v python3.12)
VENV := .venv
BIN := $(VENV)/bin
export XDG_RUNTIME_DIR ?= /tmp/runtime-$(shell id -u)

.PHONY: run test lint format lock clean-data openapi iwmo-docs bench bench-quick bench-zegel bench-profiel

$(BIN)/python: requirements.lock
	@test -n "$(PY)" || { echo "Python 3.12 niet gevonden (pyenv of python3.12)"; exit 1; }
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	@touch $(BIN)/python

## App with demo data on embedded PostgreSQL and Valkey; Ctrl-C stops everything.
run: $(BIN)/python
	@mkdir -p -m 700 $(XDG_RUNTIME_DIR)
	$(BIN)/python -m config.launcher

## The whole test suite (throw-away PostgreSQL and Valkey, real Celery worker, headless Chromium).
test: lint
	@mkdir -p -m 700 $(XDG_RUNTIME_DIR)
	$(BIN)/python -m pytest -n auto --maxprocesses 4 --dist load --maxschedchunk 1 $(PYTEST_ARGS)

## ruff (lint and format) and import-linter (the layers, docs/ARCHITECTURE.md).
lint: $(BIN)/python
	$(BIN)/ruff check . && $(BIN)/ruff format --check -q .
	$(BIN)/lint-imports --no-logo --no-cache

format: $(BIN)/python
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

## Regenerate the pinned lock files from pyproject.toml in fresh virtualenvs.
lock:
	rm -rf /tmp/regiozorg-lock && $(PY) -m venv /tmp/regiozorg-lock
	/tmp/regiozorg-lock/bin/pip install -q ".[dev]" && /tmp/regiozorg-lock/bin/pip freeze --exclude regiozorg > requirements.lock
	rm -rf /tmp/regiozorg-lock && $(PY) -m venv /tmp/regiozorg-lock
	/tmp/regiozorg-lock/bin/pip install -q . && /tmp/regiozorg-lock/bin/pip freeze --exclude regiozorg > requirements-prod.lock
	rm -rf /tmp/regiozorg-lock

## Regenerate docs/IWMO.md, the iWmo conformance table (tests check it is current).
iwmo-docs: $(BIN)/python
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py iwmo_conformiteit

## National-scale benchmark, written to BENCHMARKS.md; data generated once into var/bench/.
bench: $(BIN)/python
	@mkdir -p -m 700 $(XDG_RUNTIME_DIR)
	$(BIN)/python -m config.bench

## The same benchmark on about 1% of the data (a few minutes).
bench-quick: $(BIN)/python
	@mkdir -p -m 700 $(XDG_RUNTIME_DIR)
	$(BIN)/python -m config.bench --quick

## Where the list pages of the benchmark spend their time (after one `make bench`):
## make bench-profiel PAGINA=dashboard ARGS="--sql --cprofile"
bench-profiel: $(BIN)/python
	@mkdir -p -m 700 $(XDG_RUNTIME_DIR)
	$(BIN)/python -m config.benchdata.profiel "$(PAGINA)" $(ARGS)

## The audit seal window (issue 17): commit-to-seal delay while a long job writes; into BENCHMARKS.md.
bench-zegel: $(BIN)/python
	@mkdir -p -m 700 $(XDG_RUNTIME_DIR)
	$(BIN)/python -m config.benchdata.zegel

## Regenerate the committed OpenAPI description of /api/v1/ (tests check it is current).
openapi: $(BIN)/python
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py spectacular --validate --fail-on-warn --file openapi.yaml

## Remove the embedded database and broker data of `make run`.
clean-data:
	rm -rf var/pg var/valkey var/run.json
