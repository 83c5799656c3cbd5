# Minsheng: `make demo` serves the demo, `make test` runs the whole suite. Both set up what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
VENDOR := src/minsheng/web/static/vendor
INSTALLED := $(VENV)/.installed
ASSETS := $(VENDOR)/.installed

.PHONY: demo test setup lint typecheck migrations-check unit e2e test-postgres messages bench bundle cluster cluster-short clean

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
	$(VENV)/bin/lint-imports --no-logo

typecheck: $(INSTALLED)
	$(VENV)/bin/mypy src

migrations-check: $(INSTALLED)
	$(PY) manage.py makemigrations --check --dry-run

unit: setup
	$(VENV)/bin/pytest

# The database-touching part of the suite on PostgreSQL (DATABASE_URL must point at a server).
test-postgres: setup
	$(VENV)/bin/pytest -m "not e2e" --ignore=tests/analysis

# Refresh the Simplified Chinese catalogues (needs gettext's xgettext/msgfmt; .mo files are committed).
# An app with a locale/ folder of its own (new apps) keeps its strings there; the rest share
# src/minsheng/locale. Run from each folder so that makemessages writes that folder's catalogue.
APP_CATALOGUES := $(patsubst src/minsheng/%/locale,%,$(wildcard src/minsheng/*/locale))
MESSAGES := DJANGO_SETTINGS_MODULE=minsheng.settings.messages $(abspath $(PY)) $(abspath manage.py)
messages: $(INSTALLED)
	cd src/minsheng && $(MESSAGES) makemessages -l zh_Hans --no-obsolete --no-location --no-wrap $(foreach app,$(APP_CATALOGUES),--ignore='$(app)/*')
	for app in $(APP_CATALOGUES); do (cd src/minsheng/$$app && $(MESSAGES) makemessages -l zh_Hans --no-obsolete --no-location --no-wrap) || exit 1; done
	cd src/minsheng && $(MESSAGES) compilemessages -l zh_Hans

bench: setup
	$(PY) bench/consensus.py

# Two serve nodes and a worker on one PostgreSQL (DATABASE of MINSHENG_CLUSTER_DATABASE_URL is recreated),
# mixed traffic, one node SIGKILLed mid-run: bench/cluster.py. The short form is CI's.
cluster: setup
	$(PY) bench/cluster.py

cluster-short: setup
	$(PY) bench/cluster.py --short

# One archive with every wheel (hashes checked), the front-end assets and install.sh, for intranets.
bundle: setup
	PY=$(PY) bash bundle/build.sh

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
