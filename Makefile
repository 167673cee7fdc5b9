# make demo: the main job on the bundled fixture site.  make test: the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint bench bench-large bench-startup clean

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -m venv $(VENV) || { echo "cannot make a virtual environment: apt-get install python3-venv"; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,postgres]'
	@touch $@

demo: $(BIN)/.installed
	$(BIN)/wmkb demo

# Code that nothing calls is a promise never wired up, or dead: vulture fails the lint on it.
# click commands and http.server's handler methods are called by name.
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/vulture harvester index web cli.py .ci/vulture_whitelist.py --min-confidence 60 \
	    --exclude harvester/migrations \
	    --ignore-names '*_command,do_GET,log_message,handle_error,protocol_version,disable_nagle_algorithm,daemon_threads'

test: lint
	$(BIN)/python -m pytest

# make bench: wmkb against Scrapy, BeautifulSoup, SQLite FTS5 and the physical limit, at 2,000
# and 10,000 organisations (< 10 minutes); make bench-large adds 100,000 (up to an hour).
# Both print a table and write benchmarks/results.json.
$(BIN)/.bench-installed: $(BIN)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[bench]'
	@touch $@

bench: $(BIN)/.bench-installed
	$(BIN)/python -m benchmarks.run

bench-large: $(BIN)/.bench-installed
	$(BIN)/python -m benchmarks.run --large

# make bench-startup: the command line's start-up alone (about a minute); its figures replace
# theirs in benchmarks/results.json and the others stay.
bench-startup: $(BIN)/.installed
	$(BIN)/python -m benchmarks.run --only startup

clean:
	rm -rf $(VENV) .demo .pytest_cache *.egg-info
