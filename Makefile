# Territoires — two commands: `make run` (set up and serve the demo) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
export FLASK_APP := intranet

.PHONY: run test install install-test worker clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.test-installed

## make run: venv, install, migrate, demo data (once), serve on http://127.0.0.1:$(PORT)
## (make run PORT=5001 when 5000 is taken); the address and demo accounts are printed last
PORT ?= 5000
run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --quiet
	@trap 'kill 0' INT TERM EXIT; \
	  $(FLASK) worker & \
	  $(FLASK) run --host 127.0.0.1 --port $(PORT) & \
	  $(FLASK) demo-welcome --port $(PORT); \
	  wait

## make test: install test dependencies, run the whole suite (TEST_DATABASE_URL=postgresql://… for PostgreSQL)
## on every core (PYTEST_ARGS="-n 0" runs it in one process)
PYTEST_ARGS ?= -n auto
test: install-test
	$(PY) -m pytest $(PYTEST_ARGS)

worker: install
	$(FLASK) worker

clean:
	rm -rf $(VENV) .pytest_cache
