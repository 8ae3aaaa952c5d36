# Two commands on a fresh machine: `bin/ccdoctor` (which builds .venv through the rule below) and
# `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: run test lint typecheck unit bench clean peers conformance observe mutation

$(BIN)/ccdoctor: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(BIN)/ccdoctor
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# make cannot hand a recipe's exit code on (it exits 2 and says "Error 1"): bin/ccdoctor can.
run: $(BIN)/ccdoctor
	$(BIN)/ccdoctor $(ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check ccdoctor tests bench
	$(BIN)/ruff format --check ccdoctor tests bench
	$(BIN)/lint-imports

typecheck: $(VENV)/.dev
	$(BIN)/mypy

unit: $(VENV)/.dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Real peers for the integration and conformance tiers: LiteLLM in its own venv (~750 MB, ~45 s
# the first time) and the pinned Claude Code client (~245 MB); both no-ops once installed. A
# machine that cannot install the client skips the conformance tier, with the reason printed,
# unless CCDOCTOR_REQUIRE_CLAUDE=1 (CI) makes that a failure.
peers:
	bash tests/peers/install_litellm.sh
	bash tests/peers/install_claude.sh || test "$$CCDOCTOR_REQUIRE_CLAUDE" != 1

# The agreement table: each scenario run by the real client and by ccdoctor.
conformance: $(VENV)/.dev peers
	$(BIN)/python tests/conformance/report.py $(ARGS)

# The facts ccdoctor keeps for one client version, observed against the fakes and compared with
# ccdoctor/clients/versions/$(CLAUDE_VERSION).toml: `make observe CLAUDE_VERSION=2.1.332`.
observe: $(VENV)/.dev
	@test -n "$(CLAUDE_VERSION)" || { echo "usage: make observe CLAUDE_VERSION=2.1.332" >&2; exit 2; }
	bash tests/peers/install_claude.sh $(CLAUDE_VERSION)
	$(BIN)/python -m tests.facts.observe --claude-version $(CLAUDE_VERSION) --check

test: lint typecheck peers unit

# Mutation testing of the core modules ([tool.mutmut] in pyproject.toml says which, and which fast
# unit tests judge each mutant); not part of `make test`. A fresh run each time, so that two runs
# compare (about 25 min on 2 shared CPUs for ~1,800 mutants); the survival rate per module, then
# `$(BIN)/mutmut show NAME` for one survivor.
MUTATION_JOBS ?= 2
mutation: $(VENV)/.dev
	$(BIN)/python -m pip install --quiet -e '.[mutation]'
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(MUTATION_JOBS) > mutation.log 2>&1 || { tail -c 2000 mutation.log; exit 1; }
	$(BIN)/python -m tests.mutation.summary

# BENCH_ARGS filters the set-ups of the comparison with the real client, e.g.
# BENCH_ARGS="--route bedrock --jobs 2"; `bench/versus_client.py --help` lists the options.
BENCH_ARGS ?=
bench: $(VENV)/.dev peers
	$(BIN)/python bench/offline.py
	$(BIN)/python bench/live.py
	$(BIN)/python bench/versus_client.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache mutants mutation.log
