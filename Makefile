# Klagomålsguiden — `make run` and `make test` are the two commands; everything else is created on demand.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export RASA_TELEMETRY_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

VENV      := .venv
BOT_VENV  := .venv-bot
PY        := $(VENV)/bin/python
BOTPY     := $(BOT_VENV)/bin/python

.PHONY: help run test venvs locales widget model test-backend test-bot test-e2e test-browser clean

help:
	@echo "make run   — start backend, action server and Rasa on embedded defaults (prints the URLs)"
	@echo "make test  — install what is missing and run every test"

# --- environments: created only when missing or when the lock file changed -------------------
$(VENV)/.stamp: requirements/backend.lock
	@set -e; py=$$(scripts/find-python311.sh); \
	 if [ ! -x $(PY) ]; then echo "creating $(VENV) with $$py"; "$$py" -m venv $(VENV); fi; \
	 $(PY) -m pip install -q --disable-pip-version-check --upgrade 'pip>=24'; \
	 $(PY) -m pip install -q --disable-pip-version-check -r requirements/backend.lock; \
	 touch $@

$(BOT_VENV)/.stamp: requirements/bot.lock
	@set -e; py=$$(scripts/find-python310.sh) || { echo "make: cannot create $(BOT_VENV) without Python 3.10" >&2; exit 1; }; \
	 if [ ! -x $(BOTPY) ]; then echo "creating $(BOT_VENV) with $$py"; "$$py" -m venv $(BOT_VENV); fi; \
	 $(BOTPY) -m pip install -q --disable-pip-version-check --upgrade 'pip>=24' 'setuptools<71' wheel; \
	 $(BOTPY) -m pip install -q --disable-pip-version-check -r requirements/bot.lock; \
	 touch $@

venvs: $(VENV)/.stamp $(BOT_VENV)/.stamp

# --- build steps -------------------------------------------------------------------------------
locales: $(VENV)/.stamp
	@scripts/i18n.sh compile

widget: $(VENV)/.stamp
	@scripts/build-widget.sh

model: $(BOT_VENV)/.stamp
	@scripts/train.sh

# --- the two commands --------------------------------------------------------------------------
run: venvs locales widget model
	@scripts/run.sh

test: venvs locales widget model
	@scripts/test.sh

test-backend: $(VENV)/.stamp locales
	@scripts/test.sh backend

test-bot: venvs locales model
	@scripts/test.sh bot

test-e2e: venvs locales model
	@scripts/test.sh e2e

test-browser: venvs locales widget model
	@scripts/test.sh browser

clean:
	rm -rf var/ bot/models/ .pytest_cache
