# Two commands matter: `make demo` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: help install messages chromium nginx poppler demo serve test soak lint audit bench clean

help:
	@echo "make demo   - install, migrate SQLite, load demo data, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   - install and run the whole test suite"
	@echo "make soak   - the reliability and security battery, long parts included (PostgreSQL)"
	@echo "make lint   - ruff, manage.py check, makemigrations --check"
	@echo "make audit  - pip-audit on requirements.lock (when its service answers); every pin at its newest patch release"
	@echo "make bench  - benchmarks whose figures are recorded in README.md"

$(BIN)/python:
	@echo "==> Creating virtualenv in $(VENV)"
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	@echo "==> Installing Python packages (pinned in pyproject.toml, locked in requirements.lock)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock ".[dev]"
	@touch $(STAMP)

install: $(STAMP) messages

messages: $(STAMP)
	@echo "==> Compiling translations (vi, en)"
	$(MANAGE) compile_translations

# The demo is served as production serves it (config/settings/demo.py: DEBUG off, page cache on).
demo: export DJANGO_SETTINGS_MODULE = config.settings.demo
demo serve: export SITE_URL ?= http://127.0.0.1:$(PORT)
demo: install
	@echo "==> Migrating the SQLite database (db.sqlite3)"
	$(MANAGE) migrate --noinput
	@echo "==> Loading demo data"
	$(MANAGE) load_demo
	@echo "==> Serving on http://127.0.0.1:$(PORT), a demo card server beside it (Ctrl+C stops both)"
	$(MANAGE) serve_demo 127.0.0.1:$(PORT)

serve: install
	$(MANAGE) runserver 127.0.0.1:$(PORT)

chromium:
	@command -v chromium >/dev/null || (echo "==> Installing Chromium (Debian) for the browser tests" \
		&& (apt-get install -y -qq chromium || (apt-get update -qq && apt-get install -y -qq chromium)))

nginx:
	@command -v nginx >/dev/null || (echo "==> Installing nginx (Debian) for the two-node test" \
		&& (apt-get install -y -qq nginx || (apt-get update -qq && apt-get install -y -qq nginx)))

poppler:
	@command -v pdftotext >/dev/null || (echo "==> Installing poppler-utils (Debian) to read printed PDFs in tests" \
		&& (apt-get install -y -qq poppler-utils || (apt-get update -qq && apt-get install -y -qq poppler-utils)))

test: install chromium nginx poppler
	@echo "==> Running the test suite ($${DATABASE_URL:-SQLite})"
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest $(PYTEST_ARGS)

# The whole reliability and security battery (tests/battery), long parts included, on
# PostgreSQL and Redis (this machine's, unless DATABASE_URL / REDIS_URL say otherwise).
soak: install chromium nginx
	@command -v wrk >/dev/null || (echo "==> Installing wrk (Debian)" && apt-get install -y -qq wrk)
	DJANGO_SETTINGS_MODULE=config.settings.test \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ocop_soak} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/9} \
		$(BIN)/pytest tests/battery -m "" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run

# Known vulnerabilities (pip-audit, when its advisory service answers: otherwise it says so and
# does not fail) and every locked pin at the newest patch release of its series on pip's index.
audit: install
	$(BIN)/python deploy/audit_dependencies.py $(AUDIT_ARGS)

bench: install chromium
	@command -v wrk >/dev/null || (echo "==> Installing wrk (Debian)" && apt-get install -y -qq wrk)
	@echo "==> Registry sync benchmark (20,000 records, scratch SQLite unless DATABASE_URL is set)"
	$(BIN)/python -m benchmarks.registry_sync
	@echo "==> Scan page vs a trivial view under gunicorn; labels (set REDIS_URL as in production)"
	$(BIN)/python -m benchmarks.scan_page
	@echo "==> Pages under wrk next to a constant view, 100 and 10,000 products (Redis when one answers)"
	$(BIN)/python -m benchmarks.pages
	@echo "==> Page weight in Chromium: the demo served like production, against the budgets"
	$(BIN)/python -m benchmarks.page_weight
	@echo "==> Staff dashboard: 1,000,000 scans and 100,000 orders on PostgreSQL (DATABASE_URL)"
	$(BIN)/python -m benchmarks.dashboard

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm .pytest-db*.sqlite3* media/ private-media/ staticfiles/ test-artifacts/
