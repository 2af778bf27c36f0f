# Customer Satisfaction & Complaint Handling Workshop
#   make workshop   set everything up (first time only) and open the course in JupyterLab
#   make app        the trainees' app (ROOM=1: for their phones and laptops on the room's Wi-Fi)
#   make test       set everything up (first time only) and run the whole test suite
#   make reset      after a rehearsal: back up the results database, then clear it

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV    := $(VENV)/.installed-dev
# Exact versions (the stored notebook outputs were made with them); pyproject.toml has ranges.
PIP    := $(BIN)/python -m pip install --quiet -c constraints.txt
NOTEBOOKS := $(sort $(wildcard csat/course/*.ipynb))
NBVAL := $(if $(NOTEBOOKS),--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg csat/course,)

.PHONY: setup workshop app lite report reset test lint bench notebooks clean

setup: $(STAMP)

# A trainer's set-up: the workshop and what it runs on, no test tools.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(PIP) -e .
	$(BIN)/python -m csat sim compile
	touch $(STAMP)

# A maintainer's: the test, lint and benchmark tools of [dev] on top.
$(DEV): $(STAMP)
	$(PIP) -e '.[dev]'
	touch $(DEV)

# One results file for the day, whichever folder a notebook runs in: the notebooks, the app and
# `csat report` run from here all use it. Set CSAT_DB_URL to use another
# database (PostgreSQL for a classroom server).
CSAT_DB_URL ?= sqlite:///$(CURDIR)/csat-results.sqlite

workshop: setup
	CSAT_DB_URL='$(CSAT_DB_URL)' $(BIN)/csat workshop

# Trainees' app mode: the exercise hub, the trainer's live view and the capstone, no code shown.
# The live view asks for a trainer code: CSAT_TRAINER_CODE if set (`make app
# CSAT_TRAINER_CODE=...`), else a random one; Voilà's kernels inherit it, and it is printed here.
# `make app ROOM=1`: room mode, for trainees' phones and laptops on the same Wi-Fi (the
# laptop's network address, a QR code, and room/room.html to project).
APP_PORT ?= 8866
ROOM ?=
app: setup
	CSAT_DB_URL='$(CSAT_DB_URL)' $(BIN)/csat app --port=$(APP_PORT)$(if $(ROOM), --room)

# Zero-install static site (JupyterLite) in build/lite; serve it with any static web server.
lite: $(DEV)
	$(BIN)/python lite/build.py build/lite

# The trainer's report of the day's results (CSV files and figures) into results/.
report: setup
	CSAT_DB_URL='$(CSAT_DB_URL)' $(BIN)/csat report

# After a rehearsal: save every result to a dated JSON file, then clear the database (asks first).
reset: setup
	CSAT_DB_URL='$(CSAT_DB_URL)' $(BIN)/python -m csat exercises reset

test: $(DEV)
	$(BIN)/python -m csat sim compile
	$(BIN)/python -m pytest -n 2 --dist loadscope tests csat $(NBVAL)

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(DEV)
	$(BIN)/python benchmarks/bench_sim.py
	$(BIN)/python benchmarks/bench_peers.py

# Re-execute every course notebook in place (stored outputs are what nbval checks), with a
# throwaway results database so the day's csat-results.sqlite is left alone.
notebooks: $(DEV)
	CSAT_DB_URL=sqlite:///$$(mktemp -d)/results.sqlite MPLBACKEND=module://matplotlib_inline.backend_inline $(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.store_widget_state=False --ExecutePreprocessor.record_timing=False $(NOTEBOOKS)

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .hypothesis .ruff_cache build
