# Two commands matter: `make run` and `make test`. Each sets itself up (from the lock files, with hashes).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
SIM_PORT ?= 8765

# The dependencies come from lock files with a hash for every file (pip --require-hashes), written by
# `make lock` from the ranges in pyproject.toml: requirements.lock (what production runs, the
# Dockerfile) and requirements-dev.lock (that plus the tools for tests and development).
LOCK := requirements-dev.lock
UV_COMPILE := $(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet

.PHONY: run test reliability lint check bench install lock messages clean

$(STAMP): pyproject.toml requirements.lock $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	@touch $(STAMP)

install: $(STAMP)

# Rewrite both lock files from pyproject.toml: keeps every pin that still fits, adds what is new.
# `make lock UPGRADE=1` moves every package to the newest version its range allows. Then `make install`.
lock: $(STAMP)
	$(UV_COMPILE) --extra dev $(if $(UPGRADE),--upgrade) --output-file $(LOCK)
	$(UV_COMPILE) --constraint $(LOCK) --output-file requirements.lock

run: $(STAMP)
	$(VENV)/bin/honcho -e demo.env run $(PY) manage.py migrate --noinput
	$(VENV)/bin/honcho -e demo.env run $(PY) manage.py load_demo --simulator-url http://127.0.0.1:$(SIM_PORT)
	$(VENV)/bin/honcho -e demo.env run $(PY) manage.py collectstatic --noinput -v 0
	@echo ""
	@echo "  Ludvika sociala medier körs på http://127.0.0.1:$(PORT)/  (Ctrl-C stoppar allt)"
	@echo ""
	PORT=$(PORT) SIM_PORT=$(SIM_PORT) $(VENV)/bin/honcho -f Procfile.dev -e demo.env start

test: $(STAMP)
	$(VENV)/bin/pytest

reliability: $(STAMP)
	RUN_RELIABILITY=1 $(VENV)/bin/pytest -q -p no:logging tests/reliability

lint: $(STAMP)
	$(VENV)/bin/ruff check .

check: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=ludvika_social.settings.production \
	  SECRET_KEY=ci-check-only-$$(date +%s)-not-a-real-secret-key-0123456789abcdefghijkl \
	  ALLOWED_HOSTS=sociala.ludvika.se CREDENTIALS_KEY=$$($(PY) -c 'import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())') \
	  $(PY) manage.py check --deploy --fail-level WARNING

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

messages: $(STAMP)
	$(PY) manage.py makemessages -l en --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'var/*' --ignore 'tests/browser/vendor/*'
	$(PY) manage.py compilemessages -l en --ignore '.venv/*'

clean:
	rm -rf $(VENV) db.sqlite3 var/
