# Two commands do everything on a fresh machine: `make html` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SPHINXOPTS ?= -W --keep-going -q

.PHONY: html pdf latexpdf epub test check lint bench clean system-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,pdf,handbook]'
	touch $@

system-deps:
	bash scripts/system-deps.sh

html: $(STAMP)
	$(BIN)/sphinx-build -b html $(SPHINXOPTS) docs docs/_build/html
	@echo "open docs/_build/html/index.html"

pdf: $(STAMP) system-deps
	$(BIN)/tracefacts pdf docs -v

# The same handbook through Sphinx's own LaTeX (XeLaTeX, TeX Live) and EPUB builders.
latexpdf: $(STAMP) system-deps
	$(BIN)/sphinx-build -M latexpdf docs docs/_build $(SPHINXOPTS)
	@echo "open docs/_build/latex/*.pdf"

epub: $(STAMP) system-deps
	$(BIN)/sphinx-build -b epub $(SPHINXOPTS) docs docs/_build/epub

check: $(STAMP)
	$(BIN)/tracefacts check --strict

test: $(STAMP) system-deps
	$(BIN)/ruff check src tests scripts
	$(BIN)/pytest

# The benchmark's own venv: sphinx-needs is measured against, never a project dependency.
BENCH_STAMP := .bench-venv/.installed-stamp
$(BENCH_STAMP): pyproject.toml
	test -x .bench-venv/bin/python || $(PYTHON) -m venv .bench-venv
	.bench-venv/bin/python -m pip install -q --upgrade pip
	.bench-venv/bin/python -m pip install -q -e . sphinx-needs
	touch $@

bench: $(BENCH_STAMP)
	.bench-venv/bin/python scripts/bench.py --output bench.md

clean:
	rm -rf docs/_build
