# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
export HOST ?= 127.0.0.1
export PORT ?= 5000

.PHONY: run test install install-test install-cluster browser-deps pdf-deps pdf-test-deps cluster-deps cluster constraints db demo babel-extract babel-update babel-compile clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Re-install whenever pyproject.toml or constraints.txt (every indirect dependency's version) changes.
PIP_INSTALL := $(BIN)/pip install -q -c constraints.txt

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP_INSTALL) -e .
	touch $@

$(VENV)/.installed-cluster: pyproject.toml constraints.txt $(VENV)/.installed
	$(PIP_INSTALL) -e '.[cluster]'
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt $(VENV)/.installed
	$(PIP_INSTALL) -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-cluster: $(VENV)/.installed-cluster
install-test: $(VENV)/.installed-test

## Pin every indirect dependency again: a fresh venv with '.[test]' (the app, the cluster mode
## and the tests), frozen into constraints.txt. Run it after changing a pin in pyproject.toml.
constraints:
	rm -rf $(VENV)-constraints
	$(PYTHON) -m venv $(VENV)-constraints
	$(VENV)-constraints/bin/pip install -q --upgrade pip
	$(VENV)-constraints/bin/pip install -q -e '.[test]'
	{ sed -n '1,3p' constraints.txt; $(VENV)-constraints/bin/pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf $(VENV)-constraints

db: install
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo-load

## Create the venv and the SQLite database, load the demo contest and serve on $(HOST):$(PORT):
## one process, gevent's WSGI server (SOCKETIO_ASYNC_MODE=threading: Werkzeug's threaded one).
run: demo pdf-deps
	$(BIN)/python -m competition

# Debian's Chromium and CJK fonts for the browser tests (never `playwright install`: no internet).
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  echo "Installing Debian's chromium and fonts-noto-cjk for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium fonts-noto-cjk; \
	fi

# Debian's Pango and CJK fonts for the PDFs (certificates), for `make run` and the tests.
pdf-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || ! fc-list 2>/dev/null | grep -qi "Noto Serif CJK"; then \
	  echo "Installing Debian's Pango and fonts-noto-cjk for the PDFs"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk; \
	fi

# Debian's poppler-utils and zbar-tools: the tests render PDFs, read their text and decode QR codes.
pdf-test-deps: pdf-deps
	@if ! command -v pdftotext >/dev/null 2>&1 || ! command -v zbarimg >/dev/null 2>&1; then \
	  echo "Installing Debian's poppler-utils and zbar-tools for the PDF tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q poppler-utils zbar-tools; \
	fi

# Debian's nginx for `make cluster` (PostgreSQL and Redis are expected on the machine).
cluster-deps:
	@if ! command -v nginx >/dev/null 2>&1; then \
	  echo "Installing Debian's nginx for the cluster mode"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q nginx-light; \
	fi

## The cluster mode on this machine: PostgreSQL, Redis, two server processes behind nginx on
## port 8080 (CLUSTER_PORT), the demo contest loaded. Ctrl-C stops it. See docs/deploy.md.
cluster: install-cluster cluster-deps
	deploy/cluster.sh

## Install what the tests need and run the whole suite, one worker per core (pytest-xdist);
## a file's tests stay on one worker, so its module fixtures are built once. PYTEST_ARGS=-n0
## runs it serially; the 15 slowest tests are listed at the end. docs/tests.md has the timings.
PYTEST_ARGS ?= -n auto --dist loadfile --durations=15
test: install-test browser-deps pdf-test-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

babel-extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _n:1,2 -k lazy_ngettext:1,2 -k N_ -k Nn_:1,2 -o competition/translations/messages.pot --no-location --sort-output .

babel-update: babel-extract
	$(BIN)/pybabel update -i competition/translations/messages.pot -d competition/translations --no-fuzzy-matching --ignore-obsolete

babel-compile: install
	$(BIN)/pybabel compile -d competition/translations

clean:
	rm -rf $(VENV) instance *.egg-info
