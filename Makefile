# Two commands set everything up: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The demo listens on this machine only (its accounts have known passwords);
# HOST=0.0.0.0 make demo to show it to others on your network.
HOST ?= 127.0.0.1

.PHONY: install browser-deps demo test cluster-test bench lint format clean

install: $(VENV)/.installed node_modules/.installed

# axe-core for the accessibility tests, from the npm registry (package-lock.json).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the accessibility browser tests will skip (CI fails them)."; \
	fi

# Debian's Chromium for the browser tests (nothing downloads a browser build).
browser-deps:
	@bash scripts/ensure-chromium

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

demo: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --port $(PORT)
	WAGTAILADMIN_BASE_URL=http://toronto.localhost:$(PORT) \
		$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Several machines on loopback: two app nodes, a worker, a PostgreSQL primary
# and its streaming replica, Redis and an S3 server (scripts/cluster_test.py).
cluster-test: $(VENV)/.installed
	$(BIN)/python scripts/cluster_test.py

# The performance benchmark on PostgreSQL (never part of `make test`); see
# bench/README.md. BENCH_ARGS="--data-sets 20x50 --duration 5" for a quick run.
bench: $(VENV)/.installed
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# ruff, and the import contract that keeps the floors in order (pyproject.toml).
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules db.sqlite3 db.sqlite3-wal db.sqlite3-shm test-artifacts .pytest_cache
