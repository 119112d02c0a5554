# Qinglian: `make run` serves the demo on SpatiaLite, `make test` runs the suite on PostGIS.
SHELL := /bin/bash
PYTHON := /usr/bin/python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
APT_RUN := gdal-bin libsqlite3-mod-spatialite libgeos-dev python3-dev python3-venv build-essential \
	fonts-noto-cjk fonts-wqy-zenhei fonts-hanazono gettext
APT_TEST := $(APT_RUN) postgresql-15-postgis-3 postgresql-client chromium
TEST_DATABASE_URL ?= postgis://root@127.0.0.1:5432/test
PO := $(wildcard locale/*/LC_MESSAGES/django.po)
MO := $(PO:.po=.mo)

.PHONY: run test bench fuzz lint format messages migrate demo install install-test

run: install $(MO)
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_demo
	@echo "Serving Qinglian on http://$(HOST):$(PORT)/  (staff: http://$(HOST):$(PORT)/admin/)"
	@# The task queue's worker (plaque sheets, imports) runs beside the server, in a process
	@# group of its own, and stops with it: asked first, then made to (a worker can hang on exit).
	setsid $(PY) manage.py qcluster & WORKER=$$!; \
	trap 'kill -TERM -- -$$WORKER 2>/dev/null; sleep 3; kill -KILL -- -$$WORKER 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install-test $(MO)
	scripts/ensure_postgres.sh 127.0.0.1 5432 test
	$(VENV)/bin/lint-imports --no-cache
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest --ignore=tests/bench $(PYTEST_ARGS)

install: $(VENV)/.installed
install-test: $(VENV)/.installed $(VENV)/.installed-test

$(VENV)/.installed: requirements.txt requirements-dev.txt Makefile
	scripts/ensure_apt.sh $(APT_RUN)
	@# Debian's Python: its sqlite3 can load the SpatiaLite extension.
	$(PYTHON) -c "import sqlite3; sqlite3.connect(':memory:').enable_load_extension(True)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(VENV)/.installed-test: Makefile
	scripts/ensure_apt.sh $(APT_TEST)
	touch $@

%.mo: %.po
	msgfmt --check -o $@ $<

messages: install
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete --no-wrap --ignore=.venv --ignore=static
	$(MAKE) $(MO)

lint: install
	$(VENV)/bin/pre-commit run --all-files

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install-test $(MO)
	scripts/ensure_postgres.sh 127.0.0.1 5432 test
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest tests/bench -s
	$(PY) tests/bench/bench_layers.py
	$(PY) tests/bench/bench_alerts.py

# schemathesis over /api/schema/ on a fresh SpatiaLite demo, anonymously and with a staff token:
# no server error. Slow; FUZZ_EXAMPLES sets the examples per operation.
fuzz: install $(MO)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-fuzz.txt
	PY=$(PY) scripts/fuzz.sh
