# Commonweal: every set-up step, so a fresh machine needs only Python 3.11+, Node.js/npm, make and Debian.
# `make run` installs, builds, migrates, loads the demo and serves; `make test` installs and runs every check.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STATIC_BUILT := commonweal/ui/static/ui/build/css/commonweal.css
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000
# The server's worker model (docs/decisions/1207): processes, each with this many threads.
GUNICORN_WORKER_CLASS ?= gthread
GUNICORN_WORKERS ?= 2
GUNICORN_THREADS ?= 4
# Seconds an idle connection stays open between one page and the next (gthread keeps it without a thread).
GUNICORN_KEEPALIVE ?= 20
# What `make check` does when PyPI or the npm registry does not answer the vulnerability audit: warn or fail.
AUDIT_UNREACHABLE ?= warn
# Test processes (pytest-xdist); each gets its own test database.
TEST_WORKERS ?= auto
# Branch coverage may not fall below this (per cent): 91.9 % measured on SQLite when the floor was set; a
# little room is left for code that runs on one database only. `.venv/bin/coverage report` lists it by file.
COVERAGE_FLOOR ?= 91
# How `make test` measures coverage; `.ci/run` measures it on its SQLite pass and leaves it out of the
# PostgreSQL pass (COVERAGE=), which repeats the same tests on the other database.
COVERAGE ?= --cov --cov-report= --cov-fail-under=$(COVERAGE_FLOOR)

# `make run` installs the runtime lock only; `make test` and `make check` the development lock (runtime
# plus the `dev` extra). `make lock` compiles both from pyproject.toml, with hashes (docs/dependencies.md).
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	--no-emit-trusted-host

.PHONY: run test check audit unit browser install install-runtime static migrate demo serve clean chromium lock licences

run: install-runtime static .env migrate demo
	$(PY) manage.py collectstatic --noinput -v0
	$(MAKE) serve

# The server alone (what `make run` ends with; benchmarks/load.py starts it too, on its own database).
# gthread workers: each of the processes serves requests on several threads, so pages that wait on the
# database overlap; measured against more sync processes in docs/decisions/1207-operations-audits-and-load.md.
# Ctrl+C (or a TERM) stops the three processes by their ids and waits for them: the trap is cleared
# before it signals them, so it runs once (the old `trap "kill 0"` called itself until the shell crashed).
serve:
	@echo "Serving Commonweal at http://$(HOST):$(PORT) (DEBUG off), with its background worker and periodic sweeps. Press Ctrl+C to stop."
	@COMMONWEAL_SERVED_AT=http://$(HOST):$(PORT) sh -c 'pids=; \
		stop() { trap - INT TERM EXIT; kill $$pids 2>/dev/null; wait; exit 0; }; \
		trap stop INT TERM EXIT; \
		$(BIN)/commonweal db_worker --interval 2 & pids="$$pids $$!"; \
		$(BIN)/commonweal periodic --interval 300 & pids="$$pids $$!"; \
		$(BIN)/gunicorn commonweal.config.wsgi:application --bind $(HOST):$(PORT) \
			--worker-class $(GUNICORN_WORKER_CLASS) --workers $(GUNICORN_WORKERS) --threads $(GUNICORN_THREADS) \
			--keep-alive $(GUNICORN_KEEPALIVE) \
			--access-logfile - & pids="$$pids $$!"; \
		wait'


# CHECK=no leaves `make check` out (`.ci/run` runs it once, then both databases' tests side by side).
CHECK ?= yes

test: install static .env chromium
	$(PY) manage.py collectstatic --noinput -v0
	@if [ "$(CHECK)" = yes ]; then $(MAKE) check; fi
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --durations=40 $(COVERAGE)

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy commonweal
	$(BIN)/lint-imports --no-logo
	$(PY) tools/locks.py check
	$(PY) tools/locks.py licences
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) tools/hazard_log.py --check
	$(PY) tools/dependency_audit.py --unreachable $(AUDIT_UNREACHABLE)

# Known vulnerabilities in requirements.lock and package-lock.json (docs/dependencies.md). A registry that
# does not answer prints a loud NOT AUDITED banner; `make audit` then fails, `make check` warns (it also
# runs offline) unless AUDIT_UNREACHABLE=fail.
audit: install
	$(PY) tools/dependency_audit.py --unreachable fail

install: $(VENV)/.installed-dev node_modules/.installed

install-runtime: $(VENV)/.installed-runtime node_modules/.installed

# The project itself is installed editable, built in pip's isolated environment (pyproject's build-system).
# A new venv first takes a current pip (--upgrade-deps): the pip that comes with Python 3.11 (23.2) refuses
# a hashed lock where a package is asked for with an extra (pip-audit's CacheControl[filecache]) once a
# newer release of that package exists. The lock then installs its own pinned pip.
$(VENV)/.installed-runtime: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv --upgrade-deps $(VENV)
	$(PIP_INSTALL) --require-hashes -r requirements.lock
	$(PIP_INSTALL) --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv --upgrade-deps $(VENV)
	$(PIP_INSTALL) --require-hashes -r requirements-dev.lock
	$(PIP_INSTALL) --no-deps -e .
	touch $@ $(VENV)/.installed-runtime

# Recompile both locks from pyproject.toml, keeping pins that still fit (UPGRADE=--upgrade to move them).
lock: $(VENV)/.installed-dev
	$(BIN)/pip-compile $(LOCK_FLAGS) $(UPGRADE) --output-file=requirements.lock pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) $(UPGRADE) --extra=dev --constraint=requirements.lock \
		--output-file=requirements-dev.lock pyproject.toml

licences: $(VENV)/.installed-dev
	$(PY) tools/locks.py licences --write

# No package runs an install script: the build needs none (sass's optional file watcher would build one).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

static: $(STATIC_BUILT)

$(STATIC_BUILT): node_modules/.installed $(wildcard frontend/*)
	npm run --silent build

# A local secret, generated once; DEBUG stays off.
.env:
	@echo "Writing .env with a new random SECRET_KEY (kept out of git)."
	@$(PYTHON) -c "import secrets; print('SECRET_KEY=' + secrets.token_urlsafe(50))" > $@

migrate: install-runtime .env
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(BIN)/commonweal demo

# Browser tests drive Debian's Chromium; install it when absent (needs root, as on CI).
chromium:
	@test -x $(CHROMIUM) || { echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf $(VENV) node_modules commonweal/ui/static/ui/build staticfiles
