# make run: the whole app in one foreground command. make test: the whole suite.
# Both install into .venv first (again only when the requirements change).

# Prefer 3.11 (what the project is pinned and tested on) where it is installed.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(BIN)/python -m tvr_site.devstack run

test: lint
	$(BIN)/python -m tvr_site.devstack test

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
