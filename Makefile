# Customer Satisfaction & Complaint Handling Workshop
#   make workshop   set everything up (first time only) and open the course in JupyterLab
#   make test       set everything up (first time only) and run the whole test suite
#   make reset      after a rehearsal: back up the results database, then clear it

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# JupyterLab refuses to start as root unless told it is intended.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
NOTEBOOKS := $(sort $(wildcard csat/course/*.ipynb))
NBVAL := $(if $(NOTEBOOKS),--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg csat/course,)

.PHONY: setup workshop app lite report reset test lint bench notebooks clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m csat sim compile
	touch $(STAMP)

# One results file for the day, whichever folder a notebook runs in: the notebooks, the app and
# `python -m csat exercises report` run from here all use it. Set CSAT_DB_URL to use another
# database (PostgreSQL for a classroom server).
CSAT_DB_URL ?= sqlite:///$(CURDIR)/csat-results.sqlite

workshop: setup
	$(BIN)/python -m csat sim compile
	CSAT_DB_URL='$(CSAT_DB_URL)' $(BIN)/jupyter lab $(ROOT_FLAG) --notebook-dir=csat/course

# Trainees' app mode: the exercise hub, the trainer's live view and the capstone, no code shown.
# The live view asks for a trainer code: CSAT_TRAINER_CODE if set (`make app
# CSAT_TRAINER_CODE=...`), else a random one; Voilà's kernels inherit it, and it is printed here.
APP_PORT ?= 8866
app: setup
	$(BIN)/python -m csat sim compile
	@code="$${CSAT_TRAINER_CODE:-}"; \
	if [ -z "$$(printf '%s' "$$code" | tr -d '[:space:]')" ]; then \
	  code=$$($(BIN)/python -c 'import secrets; print(f"{secrets.randbelow(10**6):06d}")'); \
	fi; \
	printf '\n  ============================================================\n'; \
	printf '  Trainer page code: %s — give it to nobody else\n' "$$code"; \
	printf '  培训师页面口令：%s（不要告诉任何其他人）\n' "$$code"; \
	printf '  Trainer page: http://127.0.0.1:$(APP_PORT)/voila/render/trainer.ipynb\n'; \
	printf '  ============================================================\n\n'; \
	CSAT_TRAINER_CODE="$$code" CSAT_DB_URL='$(CSAT_DB_URL)' exec $(BIN)/voila csat/app --no-browser \
	  --port=$(APP_PORT) --Voila.ip=127.0.0.1 --MappingKernelManager.cull_idle_timeout=7200

# Zero-install static site (JupyterLite) in build/lite; serve it with any static web server.
lite: setup
	$(BIN)/python lite/build.py build/lite

# The trainer's report of the day's results (CSV files and figures) into results/.
report: setup
	CSAT_DB_URL='$(CSAT_DB_URL)' $(BIN)/python -m csat exercises report --out results

# After a rehearsal: save every result to a dated JSON file, then clear the database (asks first).
reset: setup
	CSAT_DB_URL='$(CSAT_DB_URL)' $(BIN)/python -m csat exercises reset

test: setup
	$(BIN)/python -m csat sim compile
	$(BIN)/python -m pytest -n 2 --dist loadscope tests csat $(NBVAL)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup
	$(BIN)/python benchmarks/bench_sim.py
	$(BIN)/python benchmarks/bench_peers.py

# Re-execute every course notebook in place (stored outputs are what nbval checks), with a
# throwaway results database so the day's csat-results.sqlite is left alone.
notebooks: setup
	CSAT_DB_URL=sqlite:///$$(mktemp -d)/results.sqlite MPLBACKEND=module://matplotlib_inline.backend_inline $(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.store_widget_state=False --ExecutePreprocessor.record_timing=False $(NOTEBOOKS)

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .hypothesis .ruff_cache build
