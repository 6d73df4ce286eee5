PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test venv bench clean

$(BIN)/ecpartner: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

venv: $(BIN)/ecpartner

# The main job on the bundled demo fleet. The demo fleet is built to break every rule at
# least once, so `check` exits 1 there: that is the expected outcome, not a failure of make.
demo: venv
	$(BIN)/ecpartner check fixtures/demo/inventory.yaml || test $$? -eq 1

test: venv
	$(BIN)/pytest -q

bench: venv
	$(BIN)/python bench/bench_check.py

clean:
	rm -rf $(VENV) build dist .pytest_cache
