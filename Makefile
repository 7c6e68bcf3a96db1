# helpdesk: `make run` sets everything up and starts the system; `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
VENDOR := helpdesk/static/vendor/socket.io.min.js helpdesk/static/vendor/chart.umd.min.js
export FLASK_APP := helpdesk

.PHONY: run test install assets lint bench-ingest clean

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask helpdesk up

test: install
	$(BIN)/pytest -q

install: $(STAMP) $(VENDOR)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

# Browser dependencies come from npm at build time and are served locally (no CDN).
# One recipe makes every vendored file (grouped target, GNU make >= 4.3).
$(VENDOR) &: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p helpdesk/static/vendor
	cp node_modules/socket.io-client/dist/socket.io.min.js node_modules/socket.io-client/dist/socket.io.min.js.map helpdesk/static/vendor/
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map helpdesk/static/vendor/
	touch $(VENDOR)

assets: $(VENDOR)

lint: install
	$(BIN)/ruff check .

bench-ingest: install
	$(BIN)/python bench/ingest_api.py

clean:
	rm -rf $(VENV) node_modules helpdesk/static/vendor instance
