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

.PHONY: lint e2e e2e-codegen screenshots run run-postgres run-prod serve-prod frontend-prod test setup db migrate seed accounts browser test-unit test-integration test-e2e clean postgres redis services

run: db
	@$(PY) -m portal_app.cli accounts
	@echo "Precert is starting on http://localhost:3000 (Ctrl+C stops it)."
	$(VENV)/bin/reflex run --env prod

# Integration tests also run on PostgreSQL, and the worker failover test on PostgreSQL and
# Redis with two workers: `services` installs and starts both on loopback when they are absent.
# Evaluated when the recipe runs, so after `services` has started them.
test test-integration test-e2e: export TEST_PG_URL ?= $(shell pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && echo postgresql://postgres@127.0.0.1:5432/test)
test test-e2e: export TEST_REDIS_URL ?= $(shell $(REDIS_PING) && echo redis://127.0.0.1:6379/15)

# Lint first; then the unit and integration tests shared out over pytest-xdist workers (one per
# core); then the browser and security suites, a test file at a time on two workers, each worker
# with a portal and a seeded database of its own (tests/servers.py), so tests in different files
# never share data. (Run beside the integration tests on two cores, the portal missed websocket
# pings and sign-ins: the two stages stay one after the other.) A browser test that fails is run once
# more and reported as RERUN either way (docs/testing.md, "Flaky browser tests"); it fails the run only
# if it fails twice.
E2E_WORKERS ?= 2
E2E_RERUNS ?= 1
test: setup browser services lint
	$(PY) -m pytest -n auto tests/unit tests/integration
	$(PY) -m pytest -n $(E2E_WORKERS) --dist loadfile --reruns $(E2E_RERUNS) -rR tests/e2e tests/security

# Lint, format check and type check (settings in pyproject.toml); `make test` runs them first.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The browser suite alone, against a fresh seeded database (tests/e2e/conftest.py), with a trace
# and a screenshot of every failing test under test-results/. ARGS="--headed -k wizard" etc.
e2e: setup browser
	$(PY) -m pytest tests/e2e --tracing retain-on-failure --screenshot only-on-failure --output test-results $(ARGS)

# Each role's home page at 1366 px and 390 px into docs/screenshots/ (tests/e2e/home_screenshots.py).
screenshots: setup browser
	$(PY) -m pytest tests/e2e/home_screenshots.py -q

# Playwright's recorder on the demo portal (needs a display: `xvfb-run -a make e2e-codegen`).
CODEGEN_DB ?= sqlite:///$(CURDIR)/data/codegen.db
e2e-codegen: setup browser
	DB_URL=$(CODEGEN_DB) $(PY) -m portal_app.cli migrate && DB_URL=$(CODEGEN_DB) $(PY) -m portal_app.cli seed
	DB_URL=$(CODEGEN_DB) $(VENV)/bin/reflex run --env prod --single-port --frontend-port 3010 --backend-port 3010 & \
	  portal=$$!; trap 'kill $$portal' EXIT; \
	  until curl -sf http://localhost:3010/ >/dev/null; do sleep 2; done; \
	  $(PY) tests/e2e/record.py http://localhost:3010

test-unit: setup
	$(PY) -m pytest tests/unit

test-integration test-e2e: setup services
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

# Redis on loopback for Reflex's shared session state, installed and started when absent.
REDIS_PING = $(PY) -c "import redis; redis.Redis(host='127.0.0.1', port=6379, socket_timeout=2).ping()" 2>/dev/null
redis: setup
	$(REDIS_PING) || { \
	  command -v redis-server >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y redis-server; }; \
	  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no; \
	  for i in 1 2 3 4 5 6 7 8 9 10; do $(REDIS_PING) && break; sleep 0.5; done; $(REDIS_PING); }

# For the test suite: PostgreSQL (database `test`) and Redis, started when they do not answer.
# Where apt cannot install them the suite still runs; the tests that need them skip and say why.
services: setup
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || $(MAKE) --no-print-directory postgres \
	  PG_URL=postgresql://postgres@127.0.0.1:5432/test \
	  || echo "PostgreSQL could not be installed or started: the PostgreSQL tests will be skipped."
	@$(MAKE) --no-print-directory redis \
	  || echo "Redis could not be installed or started: the worker failover test will be skipped."

# Production: the production build served by several granian workers that share Reflex state
# through Redis, on PostgreSQL (docs/production.md). Without DB_URL/REDIS_URL, a local
# PostgreSQL and Redis are installed and started on loopback for a trial.
PROD_HOST ?= 0.0.0.0
PROD_PORT ?= 3000
PROD_WORKERS ?= 2
PROD_PUBLIC_URL = $(or $(PUBLIC_URL),http://localhost:$(PROD_PORT))
PROD_DB_URL = $(or $(DB_URL),$(PG_URL))
PROD_REDIS_URL = $(or $(REDIS_URL),redis://127.0.0.1:6379/0)

run-prod: setup
	@[ -n "$(DB_URL)" ] || $(MAKE) --no-print-directory postgres
	@[ -n "$(REDIS_URL)" ] || $(MAKE) --no-print-directory redis
	@# The commands are not echoed: the URLs may hold passwords.
	@DB_URL='$(PROD_DB_URL)' $(PY) -m portal_app.cli migrate
	@# The demo data (and its well-known passwords) only goes into the local trial database.
	@[ -n "$(DB_URL)" ] || { DB_URL='$(PROD_DB_URL)' $(PY) -m portal_app.cli seed && $(PY) -m portal_app.cli accounts; }
	@DB_URL='$(PROD_DB_URL)' REDIS_URL='$(PROD_REDIS_URL)' PUBLIC_URL='$(PROD_PUBLIC_URL)' \
	  $(MAKE) --no-print-directory frontend-prod
	@echo "Precert is starting on $(PROD_PUBLIC_URL) with $(PROD_WORKERS) workers (Ctrl+C stops it)."
	@DB_URL='$(PROD_DB_URL)' REDIS_URL='$(PROD_REDIS_URL)' PUBLIC_URL='$(PROD_PUBLIC_URL)' \
	  $(MAKE) --no-print-directory serve-prod

# The compiled single-page app, served by the backend itself (one port).
frontend-prod: setup
	REFLEX_API_URL='$(PROD_PUBLIC_URL)' $(VENV)/bin/reflex export --frontend-only --no-zip --env prod

# The backend alone, as the load test and the failover test start it. Granian respawns a worker
# that dies; the others keep serving, and state lives in Redis. MOUNT_FRONTEND=false serves the
# websocket and HTTP routes without the compiled pages.
# PROD_OPLOCK: a worker keeps the Redis lock (and the state in memory) of the tabs it serves for a
# few seconds between their events instead of reading and writing Redis on every event.
MOUNT_FRONTEND ?= true
PROD_OPLOCK ?= true
serve-prod:
	@[ -n "$$REDIS_URL" ] || [ "$(PROD_WORKERS)" = 1 ] || { echo "serve-prod: more than one worker needs REDIS_URL"; exit 2; }
	REFLEX_ENV_MODE=prod __REFLEX_SKIP_COMPILE=true __REFLEX_MOUNT_FRONTEND_COMPILED_APP=$(MOUNT_FRONTEND) \
	  REFLEX_OPLOCK_ENABLED=$(PROD_OPLOCK) PUBLIC_URL='$(PROD_PUBLIC_URL)' \
	  exec $(VENV)/bin/granian --interface asgi --factory --host $(PROD_HOST) --port $(PROD_PORT) --workers $(PROD_WORKERS) \
	  --respawn-failed-workers --respawn-interval 1 --workers-kill-timeout 10 portal_app.portal_app:app

clean:
	rm -rf $(STAMPS) .web .states
