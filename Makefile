# CCHC dashboard. Two commands for a new machine: `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
DB      ?= data/cchc.duckdb
HOST    ?= 127.0.0.1
PORT    ?= 8050
WORKERS ?= 2
STAMP   := $(VENV)/.installed

.PHONY: axe run test test-fast lint install demo serve chromium contract bench fuzz clean

run: install demo serve

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/cchc demo --if-missing --db $(DB)

serve: install
	$(BIN)/cchc serve --db $(DB) --host $(HOST) --port $(PORT) --workers $(WORKERS)

# Browser tests drive Debian's chromium (never a downloaded browser).
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	@command -v pdftoppm >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null)
	@chromium --version

# axe-core for the accessibility browser tests, from the npm registry into tests/node_modules (no CDN)
axe:
	@test -f tests/node_modules/axe-core/axe.min.js || npm install --prefix tests --no-audit --no-fund --silent

# Two test processes (pytest-xdist): a test file goes whole to one of them (its module databases built once), the
# tests driving the session's Chromium all to the same one (one server, one browser); TEST_JOBS=0 runs in this one.
TEST_JOBS ?= 2
PYTEST    := $(BIN)/python -m pytest -q -p no:dash -n $(TEST_JOBS) --dist loadgroup

test: install chromium axe lint
	$(PYTEST) --durations=8
	@if [ -x ../shared/tools/contract-check ]; then ../shared/tools/contract-check; fi

# The inner loop: lint + every test that needs no browser (no Chromium, no PDF) and is not in the `slow` tier, under a
# minute on 2 idle cores. `make test` = everything (browser and slow tiers included, every property's `make test`
# example count). The slow tier (pytest's `slow` mark) is the few tests that need real servers or processes under
# load; each has a fast in-process sibling here that exercises the same logic (named next to its mark). Under
# CCHC_TEST_TIER=fast the slowest properties try fewer derandomised examples (tests/harness.py `examples`).
test-fast: install lint
	CCHC_TEST_TIER=fast $(PYTEST) -m "not browser and not slow" --durations=10

lint: install
	$(BIN)/ruff check .

# The input fuzzer, long run (tests/fuzz_inputs.py; make test runs a fixed sample): ≥ 5,000 generated files
# through `cchc ingest`, a summary of exits, refusals, row counts checked and any file that broke the oracle.
# FUZZ_JOBS processes, one JSON line per file in $(FUZZ_LOG).K: run it again to resume where it stopped.
FUZZ_FILES ?= 5000
FUZZ_SEED  ?= 20261123
FUZZ_JOBS  ?= 2
FUZZ_LOG   ?= data/fuzz-$(FUZZ_SEED).jsonl
# Then every hypothesis property (pytest's `hypothesis` mark) with its long example count (tests/harness.py examples:
# make test tries each on fewer derandomised examples).
fuzz: install
	$(BIN)/python tests/fuzz_inputs.py --files $(FUZZ_FILES) --seed $(FUZZ_SEED) --jobs $(FUZZ_JOBS) --log $(FUZZ_LOG)
	CCHC_FUZZ=1 $(PYTEST) -m "hypothesis and not browser"

contract: install
	../shared/tools/contract-check

bench: install
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.concurrency
	$(BIN)/python -m bench.browser
	$(BIN)/python -m bench.publish_aggregates --db data/bench/legacy-1000000.duckdb --db data/bench/ingest-target.duckdb
	$(BIN)/python -m bench.import_fixed

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
