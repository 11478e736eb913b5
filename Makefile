# Civic: two commands on a fresh machine.
#   make run    venv, dependencies, assets, locales, SQLite demo database with demo data,
#               then serves on http://127.0.0.1:8000 (prints the demo logins)
#   make test   the same installation, PostgreSQL and Redis up, ruff, mypy, makemigrations
#               --check, the whole pytest suite (real PostgreSQL, Redis, Celery worker,
#               Chromium), and the demo path once
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

# Test defaults: the local services. Override DATABASE_URL / REDIS_URL to use others.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/civic
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
TEST_ENV = DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	SECRET_KEY=$${SECRET_KEY:-test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz} \
	CELERY_QUEUE=civic-test-$$$$ SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false
DEMO_ENV = DEBUG=true DATABASE_URL=$${DEMO_DATABASE_URL:-sqlite:///db.sqlite3} REDIS_URL= \
	CIVIC_COUNTY_NAME=$${CIVIC_COUNTY_NAME:-青禾县新时代文明实践中心}

.PHONY: help install system assets locale run demo test lint typecheck migrations-check pytest demo-check bench clean

help:
	@echo "make run        serve the demo on http://127.0.0.1:8000 (SQLite, demo data)"
	@echo "make demo       only build the demo database (SQLite; DEMO_DATABASE_URL for another) and print its logins"
	@echo "make test       lint, type check, migrations check and the whole test suite (PostgreSQL, Redis, worker)"
	@echo "make lint       ruff check and ruff format --check"
	@echo "make typecheck  mypy over civic/ and every services.py and selectors.py (pyproject.toml)"
	@echo "make bench      the whole-country import benchmark (a scratch PostgreSQL database)"

system:
	@scripts/ensure-system.sh base

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@scripts/ensure-system.sh base
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

static/vendor/.built: package.json $(wildcard package-lock.json) scripts/build-assets.sh
	@scripts/ensure-system.sh base
	scripts/build-assets.sh
	@touch $@

assets: static/vendor/.built

locale: $(BIN)/.installed
	@DEBUG=true $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

install: $(BIN)/.installed assets locale

demo: install
	$(DEMO_ENV) $(PY) manage.py migrate --noinput -v0
	$(DEMO_ENV) $(PY) manage.py seed_demo

run: demo
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.installed
	DEBUG=true $(PY) -m mypy

migrations-check: $(BIN)/.installed
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

pytest: install
	@scripts/ensure-system.sh test
	@$(TEST_ENV) PY=$(PY) scripts/ensure-services.sh
	$(TEST_ENV) $(BIN)/pytest

# The one-command demo path, on a throw-away SQLite file.
demo-check: install
	@rm -f var/demo-check.sqlite3 && mkdir -p var
	DEBUG=true DATABASE_URL=sqlite:///var/demo-check.sqlite3 REDIS_URL= $(PY) manage.py migrate --noinput -v0
	DEBUG=true DATABASE_URL=sqlite:///var/demo-check.sqlite3 REDIS_URL= $(PY) manage.py seed_demo
	DEBUG=true DATABASE_URL=sqlite:///var/demo-check.sqlite3 REDIS_URL= $(PY) manage.py check_tree
	@rm -f var/demo-check.sqlite3

test: install lint typecheck migrations-check pytest demo-check

# The country import benchmark (a scratch PostgreSQL database; prints figures and the floor ratio).
bench: install
	@$(TEST_ENV) PY=$(PY) scripts/ensure-services.sh
	-createdb -h 127.0.0.1 -U postgres civic_bench 2>/dev/null
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/civic_bench SECRET_KEY=bench $(PY) manage.py migrate -v0
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/civic_bench SECRET_KEY=bench $(PY) manage.py bench_country_import --floor

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles var db.sqlite3
