# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
REQ_HASH := $(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
STAMP := $(VENV)/.installed-$(REQ_HASH)

.PHONY: run setup test lint bench

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

## Set up (venv, requirements, database, real units, demo data); repeated runs only check.
setup: $(STAMP)
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py load_units --tree all
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py compute_rankings --all
	$(BIN)/python manage.py publish_period --skip-published --scope "Huyện Tiên Lữ" \
		$(foreach m,2023-09 2023-10 2023-11 2023-12 2024-01 2024-02 2024-03 2024-04 2024-05 2024-06 2024-07 2024-08,--period $(m))
	$(BIN)/python manage.py publish_period --skip-published --scope "Tỉnh Hưng Yên" --period 2025-02
	$(BIN)/python manage.py publish_period --skip-published --scope "Thành phố Hà Nội" --period 2024-12

## Set everything up, then serve the portal on 127.0.0.1:$(PORT). The demo logins (a clerk and a leader of
## Huyện Tiên Lữ, an administrator) are created and printed only in the embedded default (no DATABASE_URL).
run: setup
	$(BIN)/python manage.py load_demo_accounts --base-url http://127.0.0.1:$(PORT)
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## Run the whole test suite (PostgreSQL/Redis/Chromium tests run when DATABASE_URL/REDIS_URL and the browser exist).
test: $(STAMP)
	$(BIN)/python -m pytest -n auto --maxprocesses 4 --dist loadfile $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .
