# Minsheng: `make demo` serves the demo, `make test` runs the whole suite. Both set up what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
VENDOR := src/minsheng/web/static/vendor
INSTALLED := $(VENV)/.installed
ASSETS := $(VENDOR)/.installed

.PHONY: demo test setup lint typecheck migrations-check unit e2e test-postgres messages bench clean

demo: setup
	$(VENV)/bin/minsheng demo

test: setup lint typecheck migrations-check unit

setup: $(INSTALLED) $(ASSETS)

$(UV): requirements/bootstrap.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements/bootstrap.txt
	touch $@

$(INSTALLED): $(UV) requirements/dev.txt pyproject.toml
	$(UV) pip sync --quiet --python $(PY) requirements/dev.txt
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Front-end libraries are copied into our own static files: intranets have no CDN.
$(ASSETS): node_modules/.installed
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	touch $@

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(INSTALLED)
	$(VENV)/bin/mypy src

migrations-check: $(INSTALLED)
	$(PY) manage.py makemigrations --check --dry-run

unit: setup
	$(VENV)/bin/pytest

# The database-touching part of the suite on PostgreSQL (DATABASE_URL must point at a server).
test-postgres: setup
	$(VENV)/bin/pytest -m "not e2e" --ignore=tests/analysis

# Refresh the Simplified Chinese catalogue (needs gettext's xgettext/msgfmt; .mo files are committed).
messages: $(INSTALLED)
	cd src/minsheng && ../../$(PY) ../../manage.py makemessages -l zh_Hans --no-obsolete && ../../$(PY) ../../manage.py compilemessages -l zh_Hans

bench: setup
	$(PY) bench/consensus.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
