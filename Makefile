# The two commands: `make serve` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
AXE := node_modules/axe-core/axe.min.js

.PHONY: install build serve preview test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# axe-core (pinned in package.json) is only needed by the accessibility tests.
$(AXE): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the tests: apt-get install npm"; exit 1; }
	npm ci --no-audit --no-fund --silent
	touch $(AXE)

install: $(STAMP)

build: install
	$(BIN)/csohelp check faq
	$(BIN)/csohelp build

serve: build
	$(BIN)/csohelp serve --host 127.0.0.1 --port 8000

# For content owners: rebuild on every change to faq/, plan/, overrides/ or mkdocs.yml and
# reload the open pages; a validation error shows in the page (file, line, field).
preview: install
	$(BIN)/csohelp serve --watch --host 127.0.0.1 --port 8000

test: build $(AXE)
	$(BIN)/ruff check csohelp tests scripts
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check csohelp tests scripts

clean:
	rm -rf site docs search_index build .site.swap .docs.swap .search_index.swap
