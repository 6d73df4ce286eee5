PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo demo-live test venv bench clean

$(BIN)/ecpartner: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

venv: $(BIN)/ecpartner

# The main job on the bundled demo fleet. The demo fleet is built to break every rule at least once,
# one device included (its recording is not a configuration), so `check` exits 3 there (1 would also
# be findings): that is the expected outcome, not a failure of make. 0 or 2 would be a bug.
demo: venv
	$(BIN)/ecpartner check fixtures/demo/inventory.yaml; code=$$?; test $$code -eq 1 -o $$code -eq 3

# The demo fleet live on 127.0.0.1: FakeNOS answers its recorded configurations, snmpsim serves its SNMP
# recordings (whose counters grow at the rates of its recorded day), `telemetry run --live` polls them
# (metrics on 127.0.0.1:9717 meanwhile) and is stopped; then the report of the rates it stored.
# POLLS and EVERY make it longer.
POLLS ?= 4
EVERY ?= 5s
demo-live: venv
	PYTHONPATH=tests$${PYTHONPATH:+:$$PYTHONPATH} $(BIN)/python -m helpers.demo_live --polls $(POLLS) --every $(EVERY)

test: venv
	$(BIN)/pytest -q

bench: venv
	$(BIN)/python bench/bench_check.py

clean:
	rm -rf $(VENV) build dist .pytest_cache
