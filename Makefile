# SafeShare: two commands. `make run` serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export UV_PYTHON_DOWNLOADS := never
export PATH := $(HOME)/.local/bin:$(PATH)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: help setup uv python-env frontend messages migrate run test test-fast test-sqlite test-postgres lint format bench clean

help:
	@echo "make run    set everything up and serve the demo on http://$(HOST):$(PORT)"
	@echo "make test   set everything up and run the whole suite on SQLite and PostgreSQL"
	@echo "make test-fast  pure and SQLite tests, no browser or slow tests (day-to-day work)"
	@echo "make lint   ruff, import contracts (lint-imports), types (mypy)"
	@echo "make bench  run the benchmarks in bench/"

uv:
	@command -v uv >/dev/null 2>&1 || { echo "Installing uv…"; python3 -m pip install --user --quiet uv || pip install --quiet uv; }

# Bytecode is compiled when packages are installed, and for src/, so that every process (the
# server, the worker, commands, each test process and the commands tests start) starts from it
# even where PYTHONDONTWRITEBYTECODE stops Python writing it: Django alone starts in about 1 s
# rather than 3.
python-env: uv
	@UV_PYTHON="$$(scripts/find-python)" && export UV_PYTHON && uv sync --frozen --all-groups --quiet --compile-bytecode
	@uv run --no-sync python -m compileall -q src >/dev/null

frontend:
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed for the GOV.UK Frontend packages: apt-get install nodejs npm" >&2; exit 1; }
	@if [ ! -d node_modules/govuk-frontend ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; fi
	@# The stylesheet is built again only when a source of it is newer (sass takes seconds).
	@css=build/static/safeshare/application.css; \
	if [ ! -f "$$css" ] || [ -n "$$(find src/safeshare/web/scss node_modules/.package-lock.json package.json -newer "$$css" -print -quit)" ]; then npm run --silent build; fi

# Translations of the victim's pages, letter and advice pack: src/safeshare/locale/*/django.po.
messages: python-env
	@command -v msgfmt >/dev/null 2>&1 || { echo "GNU gettext is needed to compile translations: apt-get install gettext" >&2; exit 1; }
	@cd src/safeshare && uv run safeshare compilemessages -v 0

setup: python-env frontend messages

migrate: setup
	@uv run safeshare migrate --no-input -v 0

# The demo is served on plain http://127.0.0.1: no HTTPS redirect or HSTS (README, configuration).
run: export SAFESHARE_HTTPS ?= 0
# The demo's national contact point (ADR 0053): Ofcom's drama numbers, set here unless given.
run: export SAFESHARE_NATIONAL_CONTACT_TELEPHONE ?= 01632 960 999
run: export SAFESHARE_NATIONAL_CONTACT_EMAIL ?= custodian@example.gov.uk
run: export SAFESHARE_NATIONAL_CONTACT_HOURS ?= Every day, 7am to 11pm
run: export SAFESHARE_NATIONAL_CONTACT_OUT_OF_HOURS ?= Call 01632 960 998 and ask for the duty custodian
run: migrate
	@uv run safeshare demo --if-empty
	@echo "Serving SafeShare on http://$(HOST):$(PORT)/ (press Ctrl+C to stop)"
	@uv run safeshare worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	uv run gunicorn safeshare.asgi:application -c python:safeshare.server --bind $(HOST):$(PORT) --log-level warning

# Both passes side by side, each with its own log (scripts/test-passes, docs/adr/0020).
test: setup
	@scripts/test-passes $(PYTEST_ARGS)

# The day-to-day lane: pure and SQLite tests; no browser, fault injection or 10^5-row imports
# (those are marked `browser` or `slow`, and run in `make test`).
test-fast: python-env
	uv run pytest --db=sqlite -n $${SAFESHARE_TEST_WORKERS:-auto} --dist worksteal -m "not browser and not slow" $(PYTEST_ARGS)

test-sqlite:
	uv run pytest --db=sqlite $(PYTEST_ARGS)

test-postgres:
	uv run pytest --db=postgres $(PYTEST_ARGS)

lint: python-env
	uv run ruff check src tests bench tools
	uv run ruff format --check src tests bench tools
	uv run lint-imports
	uv run mypy

format: python-env
	uv run ruff format src tests bench tools
	uv run ruff check --fix src tests bench tools

bench: setup
	@for script in bench/*.py; do echo "== $$script"; uv run python "$$script" || exit 1; done

clean:
	rm -rf build .pytest_cache .ruff_cache
