# Every target creates .venv on first use and installs the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

DB ?= data/news.db
PORT ?= 8001
ARTICLES ?= 300
SEED ?= 1
BASE_URL ?= https://www.alghadalsoury.com

.PHONY: test demo crawl browse bench clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

## make test: the whole test suite (starts its own replica and servers on free loopback ports)
test: $(INSTALLED)
	$(BIN)/python -m pytest

## make demo: serve the replica, crawl it into $(DB), stop the replica, say how to browse
demo: $(INSTALLED)
	$(BIN)/python scripts/demo.py --articles $(ARTICLES) --seed $(SEED) --db $(DB)

## make crawl: crawl the real site into $(DB), with the polite defaults of crawler/settings.py
crawl: $(INSTALLED)
	$(BIN)/scrapy crawl alghad -a base_url=$(BASE_URL) -s NEWS_DB=$(DB)

## make browse: Datasette on http://127.0.0.1:$(PORT)/ over $(DB), read-only
browse: $(INSTALLED)
	$(BIN)/python scripts/browse.py --db $(DB) --port $(PORT)

## make bench: speed, scale and memory figures into bench/RESULTS.md (QUICK=1 for the CI smoke run)
bench: $(INSTALLED)
	$(BIN)/python -m bench $(if $(QUICK),--quick,)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
