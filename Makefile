# Two entry points: `make run` (every shipped scenario -> results/) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test bench clean distclean chromium

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# the projections; history.toml is the backcast's input (`tradesim backcast`), not a projection
PROJECTIONS := $(filter-out scenarios/history.toml,$(wildcard scenarios/*.toml))

run: $(BIN)/.installed
	$(BIN)/tradesim run $(PROJECTIONS) --out results
	$(BIN)/tradesim backcast --out results

# Debian's headless Chromium for the browser tests (tests/test_explore_browser.py). Installed
# with apt-get where it is missing and apt-get exists (CI runs as root); where it cannot be
# installed the make goes on and those tests skip, saying why.
CHROMIUM ?= /usr/bin/chromium
chromium:
	@test -x $(CHROMIUM) || ! command -v apt-get >/dev/null 2>&1 || \
	  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	      chromium chromium-driver; } || \
	  echo "make: could not install chromium; the browser tests will be skipped"

test: $(BIN)/.installed chromium
	$(BIN)/python -m pytest -q

# quick sizes (~3 minutes); `make bench BENCH_ARGS=--full` for the full ones
bench: $(BIN)/.installed
	$(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)

# Everything generated, so that `git status --ignored` shows only the virtualenv: run and sweep
# outputs (results/ except its tracked README), test and lint caches, byte code, build metadata,
# benchmark reports. `make distclean` also removes the virtualenv.
clean:
	test ! -d results || find results -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
	rm -rf .pytest_cache .hypothesis .ruff_cache .mypy_cache benchmarks/out build dist *.egg-info
	find . -path ./.git -prune -o -path ./$(VENV) -prune -o -name __pycache__ -type d -prune \
		-exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
