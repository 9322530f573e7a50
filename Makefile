# The two commands of the README: `make demo` (the main job) and `make test`.
# Both create or refresh .venv from pyproject.toml, so they work on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m boostobj

test: $(STAMP)
	$(PY) -m mypy
	$(PY) -m pytest -q -n 2 -p no:cacheprovider

bench: $(STAMP)
	$(PY) -m pip install --quiet --no-deps imbalance-xgboost
	$(PY) benchmarks/run_all.py

# The documentation site into docs/_build/html; warnings are errors. Runs every example (a few minutes).
docs: $(STAMP)
	$(PY) -m pip install --quiet -e ".[docs]"
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf $(VENV) build *.egg-info docs/_build docs/generated docs/catalogue docs/auto_examples
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
