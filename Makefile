# Precert: `make run` serves the portal on http://localhost:3000, `make test` runs every test.
# Both install what they need on a fresh Debian machine (Python 3.11, Node.js, npm, apt).

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .make
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

# Reflex needs bun; its own download is blocked on many networks, so bun comes
# from the npm registry into .tools/ (see DEVELOPERS.md in the project notes).
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run run-postgres test setup db migrate seed accounts browser test-unit test-integration test-e2e clean postgres

run: db
	@$(PY) -m portal_app.cli accounts
	@echo "Precert is starting on http://localhost:3000 (Ctrl+C stops it)."
	$(VENV)/bin/reflex run --env prod

# Integration tests also run on PostgreSQL when it answers on loopback.
test test-integration: export TEST_PG_URL ?= $(shell pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && echo postgresql://postgres@127.0.0.1:5432/test)

test: setup browser
	$(PY) -m pytest

test-unit test-integration test-e2e: setup
	$(PY) -m pytest tests/$(subst test-,,$@)

setup: $(STAMPS)/python $(STAMPS)/bun

db: setup migrate seed

migrate: setup
	$(PY) -m portal_app.cli migrate

seed: setup
	$(PY) -m portal_app.cli seed

accounts: setup
	@$(PY) -m portal_app.cli accounts

browser: $(STAMPS)/browser $(STAMPS)/axe

$(STAMPS)/python: requirements.txt
	@mkdir -p $(STAMPS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(STAMPS)/bun:
	@mkdir -p $(STAMPS)
	npm install --prefix .tools --no-audit --no-fund --loglevel=error bun@1.4.5
	@touch $@

$(STAMPS)/browser:
	@mkdir -p $(STAMPS)
	command -v chromium >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }
	@touch $@

# axe-core, injected into pages by the accessibility tests.
$(STAMPS)/axe:
	@mkdir -p $(STAMPS)
	npm install --prefix .tools --no-audit --no-fund --loglevel=error axe-core@4.11.0
	@touch $@

# Run the portal on a local PostgreSQL, installing and starting it when absent.
PG_URL ?= postgresql://postgres@127.0.0.1:5432/precert
run-postgres: setup postgres
	DB_URL=$(PG_URL) $(MAKE) run

postgres:
	command -v pg_ctlcluster >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y postgresql; }
	pg_isready -q -h 127.0.0.1 || $(SUDO) pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	psql "$(dir $(PG_URL))postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$(notdir $(PG_URL))'" | grep -q 1 \
	  || psql "$(dir $(PG_URL))postgres" -c 'CREATE DATABASE "$(notdir $(PG_URL))"'

clean:
	rm -rf $(STAMPS) .web .states
