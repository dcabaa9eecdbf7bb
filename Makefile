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

.PHONY: run test setup db migrate seed accounts browser test-unit test-integration test-e2e clean postgres

run: db
	@$(PY) -m portal_app.cli accounts
	@echo "Precert is starting on http://localhost:3000 (Ctrl+C stops it)."
	$(VENV)/bin/reflex run --env prod

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

browser: $(STAMPS)/browser

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

clean:
	rm -rf $(STAMPS) .web .states
