# Two commands on a fresh machine: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME := $(CURDIR)/.dagster_home
CONFIG ?= cdp.yaml

.PHONY: setup run test test-slow test-spark ui generate bench clean

$(BIN)/cdp: pyproject.toml
	@command -v $(PY) >/dev/null || { echo "need $(PY) on PATH (or make PY=python3)"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test,spark]"  # spark: the Spark backend test (skipped without java)
	@touch $@

setup: $(BIN)/cdp $(DAGSTER_HOME)/dagster.yaml

# Dagster's instance: run history on disk so CLI runs show in the UI; no telemetry (offline machines);
# the package's own log records (counts, model training, Splink warnings; never personal data)
# shown in each run's log.
$(DAGSTER_HOME)/dagster.yaml:
	@mkdir -p $(DAGSTER_HOME)
	@printf 'telemetry:\n  enabled: false\npython_logs:\n  managed_python_loggers:\n    - cdp_pipeline\n  python_log_level: INFO\n' > $@

data/landing/.generated: | setup
	$(BIN)/cdp generate --persons 3000 --seed 42 --out data/landing
	@touch $@

run: setup data/landing/.generated
	$(BIN)/cdp run --config $(CONFIG)

test: setup
	$(BIN)/python -m pytest -q -m "not slow"

test-slow: setup
	$(BIN)/python -m pytest -q -m slow

# Only the identity.backend: spark checks (local Spark; needs java on PATH).
test-spark: setup
	$(BIN)/python -m pytest -q -m spark

ui: setup
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

bench: setup
	$(BIN)/python bench/nightly.py --persons 10000 100000 1000000 --incremental

clean:
	rm -rf data/landing/* data/landing/.generated data/warehouse*.duckdb* data/exports data/models .dagster_home
