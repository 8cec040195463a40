# The two commands: `make serve` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install build serve test lint clean

$(STAMP): pyproject.toml package.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	npm install --no-audit --no-fund --silent
	touch $(STAMP)

install: $(STAMP)

build: install
	$(BIN)/csohelp check faq
	$(BIN)/csohelp build

serve: build
	$(BIN)/csohelp serve --host 127.0.0.1 --port 8000

test: build
	$(BIN)/ruff check csohelp tests scripts
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check csohelp tests scripts

clean:
	rm -rf site docs search_index build .site.swap .docs.swap
