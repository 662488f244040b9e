# Two commands on a fresh machine: `make run` (set up, build data, serve) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: setup data update run serve-replicas export test lint format bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

data: setup
	$(PY) -m etl build

# With a network: fetch what is new from Kolada, SCB and Arbetsförmedlingen, then build once.
update: setup
	$(PY) -m etl update

run: data
	$(PY) -m streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT)

# N replicas on 127.0.0.1:8501.. behind deploy/nginx.conf on https://127.0.0.1:8443 (a local
# trial: self-signed certificate, a login printed at start; needs nginx and openssl).
N ?= 4
serve-replicas: data
	$(PY) -m deploy.serve_replicas --replicas $(N)

# The Mål och budget pack from the command line, in the venv: make export ARGS="--regions 0181
# --period 2013K3 --out ut/" (.venv/bin/python -m labourmarket export --help lists the options).
export: data
	$(PY) -m labourmarket export $(ARGS)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# pytest-xdist: one worker per core; tests/conftest.py groups each file, and all browser tests, so
# that module fixtures, the e2e server and the browser are set up once. TEST_WORKERS=0: in-process.
TEST_WORKERS ?= auto
test: lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: setup
	$(PY) -m bench.run

clean:
	rm -rf data/clean data/.clean* test-artifacts .pytest_cache .ruff_cache
