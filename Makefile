# Two commands matter: `make run` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
SIM_PORT ?= 8765

.PHONY: run test reliability lint check bench install messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

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
