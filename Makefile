# Two commands: `make report` (set up + run the default evaluation on demo data) and `make test`.
PYTHON ?= python3
ifdef VIRTUAL_ENV
VENV := $(VIRTUAL_ENV)
else
VENV := .venv
endif
BIN := $(VENV)/bin
STAMP := $(VENV)/.evaluation-installed
SPEC ?= notebooks/params/exempelstad.yaml
# One BLAS/OpenMP thread per process: the numeric work is many small matrices, where a second
# thread only oversubscribes the cores (and spins against papermill's kernel and the tests).
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: report run fetch update check test ci-tools demo lab bench bench-synth install bytecode \
	clean-reports

report: bytecode
	$(BIN)/evaluation demo
	$(BIN)/evaluation run $(SPEC)

run: bytecode
	$(BIN)/evaluation run $(SPEC)

# fetch/update: every spec in notebooks/params/, or only SPEC when given on the command line.
ONLY_SPEC = $(if $(filter command line,$(origin SPEC)),$(SPEC),)

fetch: bytecode
	$(BIN)/evaluation fetch $(ONLY_SPEC)

update: bytecode
	$(BIN)/evaluation update $(ONLY_SPEC)

check: bytecode
	$(BIN)/evaluation check $(SPEC)

demo: bytecode
	$(BIN)/evaluation demo

# Two workers (one per core on the reference machine); work stealing keeps the long notebook
# and Monte Carlo tests from piling up at the end of one worker. TEST_WORKERS=0 runs serially.
TEST_WORKERS ?= 2
test: ci-tools bytecode
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

# In CI (CI=true) only: apt-get install what the browser and Word/PDF tests need (chromium,
# chromedriver, soffice, pdftotext) unless it is there already; elsewhere a no-op (those tests
# skip and say why).
ci-tools:
	bash scripts/ci_tools.sh

bench: bytecode
	$(BIN)/python tests/benchmarks/bench_demo.py

# Synthetic control speed against pysyncon (installed only into .venv-bench, never a runtime
# dependency of the tool).
BENCH_VENV := .venv-bench
bench-synth: $(STAMP)
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q -e . pysyncon
	$(BENCH_VENV)/bin/python tests/benchmarks/bench_synth.py

lab: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test,lab]'
	$(BIN)/python -m jupyter lab notebooks/

install: bytecode

# The package's bytecode, brought up to date before every command (0.04 s when it is). Python
# reads it even where PYTHONDONTWRITEBYTECODE is set (as on the machine the speed was measured
# on), where every process would otherwise compile the package from source: 0.2–0.3 CPU-s each
# for the command, the notebook's kernel and every test worker.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q src

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)
