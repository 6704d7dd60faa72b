# Two commands set everything up on a fresh machine: `make run` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
SCALE  ?= 1
REQ_HASH := $(shell sha1sum requirements.txt | cut -c1-12)
STAMP  := $(VENV)/.installed-$(REQ_HASH)

.PHONY: install migrate seed run test lint format bench clean

$(STAMP): requirements.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) -m data_access.migrate

# Migrates, then loads the demo city only when the store is empty (never twice).
seed: install
	$(PY) -m metrics.seed --scale $(SCALE)

run: seed
	@echo "领导驾驶舱：http://localhost:$(PORT)  （Ctrl+C 退出）"
	$(PY) -m streamlit run asgi.py --server.port $(PORT) --server.headless true

test: install
	$(PY) -m pytest -q

# ruff, the layer contracts (pyproject.toml [tool.importlinter]) and the type checker ([tool.mypy]).
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: install
	$(PY) -m bench.overview
	$(PY) -m bench.pages
	$(PY) -m bench.exports
	$(PY) -m bench.ingest
	$(PY) -m bench.facts
	$(PY) -m bench.clicks

clean:
	rm -rf $(VENV) .pytest_cache
