# make run: the whole app in one foreground command. make test: the whole suite.
# Both install into .venv first (again only when the requirements change).

# Prefer 3.11 (what the project is pinned and tested on) where it is installed.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint check-deploy format bench css lighthouse

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

# The build and test tools from npm (package-lock.json): PurgeCSS, axe-core, Lighthouse.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The portal's and client pages' stylesheet, purged of unused Bootstrap (tools/css.py);
# the result is checked in, and tests/test_css.py fails when it is stale.
css: $(VENV)/.installed node_modules/.installed
	$(BIN)/python tools/css.py

run: $(VENV)/.installed
	$(BIN)/python -m tvr_site.devstack run

test: lint check-deploy node_modules/.installed
	$(BIN)/python -m tvr_site.devstack test

# make bench: the benchmarks (docs/benchmarks.md), on PostgreSQL and Redis from the
# environment. Each works in a database of its own named after DATABASE_URL's (_sweep, …).
BENCH_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/tvr_bench)
BENCH_REDIS_URL ?= $(or $(REDIS_URL),redis://127.0.0.1:6379/0)
BENCH_ENV = DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL)

bench: $(VENV)/.installed
	$(BENCH_ENV) $(BIN)/python bench/sweep.py --rows 10000 100000 1000000
	$(BENCH_ENV) $(BIN)/python bench/lateness.py --burst 10000
	$(BENCH_ENV) $(BIN)/python bench/pages.py
	$(BENCH_ENV) $(BIN)/python bench/load.py

# make lighthouse: Lighthouse (phone profile) on the portal and the client home, served by
# gunicorn under the production settings, then as make run serves them (docs/benchmarks.md).
lighthouse: $(VENV)/.installed node_modules/.installed
	$(BENCH_ENV) $(BIN)/python bench/lighthouse.py

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Django's deployment checklist on the production settings, with stand-ins of production's
# shape for what production reads from its environment (a fresh random key each run).
check-deploy: $(VENV)/.installed
	env -u DEBUG DJANGO_SETTINGS_MODULE=tvr_site.settings.production \
		SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		ALLOWED_HOSTS=feedback.tvr.example CSRF_TRUSTED_ORIGINS=https://feedback.tvr.example \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
