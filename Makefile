# The two commands: `make run` serves the hub on embedded defaults; `make test` runs the tests.
# Both set up what they need first, each step only when its inputs changed (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# npm packages: GraphiQL's assets (served by the hub), the federation test's gateway and subgraph
IDE_STAMP := ide/node_modules/.installed
FEDERATION_STAMP := tests/federation/node_modules/.installed
# the workbench and residents' page (web/): npm packages, then a Vite build into web/dist
WEB_NPM_STAMP := web/node_modules/.installed
WEB_STAMP := web/dist/.built
WEB_SOURCES := web/index.html web/resident.html web/vite.config.js $(shell find web/src -type f 2>/dev/null)
NPM_FLAGS := --no-audit --no-fund --loglevel=error
NODE_MAJOR_MIN := 20

.PHONY: run test lint schema bench bench-peer clean need-node need-chromium need-mosquitto

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

.SECONDEXPANSION:

# The lock file, when there is one, is what npm installs; node_modules is rebuilt when either
# file changes. `npm ci` empties node_modules first, the stamp goes in after.
%/node_modules/.installed: %/package.json $$(wildcard $$*/package-lock.json) | need-node
	cd $* && if [ -f package-lock.json ]; then npm ci $(NPM_FLAGS); \
		else npm install $(NPM_FLAGS); fi
	touch $@

# Vite empties web/dist first; the stamp goes in after. Built again only when a source changed.
$(WEB_STAMP): $(WEB_SOURCES) $(WEB_NPM_STAMP)
	cd web && npm run build --silent
	touch $@

# Commands from Debian's packages, installed with apt only when missing.
need-node:
	@bash scripts/need-commands node=nodejs,npm npm=npm
	@[ "$$(node -p 'process.versions.node.split(".")[0]')" -ge $(NODE_MAJOR_MIN) ] || \
		{ echo "Node.js $$(node --version) is too old: need $(NODE_MAJOR_MIN) or newer" >&2; exit 1; }

need-chromium:
	@bash scripts/need-commands chromium=chromium
	@bash scripts/need-cjk-font

# The stream tests restart the broker mid-stream: mosquitto keeps its sessions across that
# (amqtt, the fallback when it is missing, does not).
need-mosquitto:
	@bash scripts/need-commands mosquitto=mosquitto

run: $(STAMP) $(IDE_STAMP) $(WEB_STAMP)
	$(BIN)/python app.py

test: $(STAMP) $(IDE_STAMP) $(FEDERATION_STAMP) $(WEB_STAMP) | need-chromium need-mosquitto
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

schema: $(STAMP)
	$(BIN)/hub schema export

bench: $(STAMP)
	$(BIN)/python -m bench.federated_core

# bench/gateway_peer.py's peer (GraphQL Mesh + Hive Gateway): its npm packages, for that bench only
bench-peer: $(STAMP) bench/peer/node_modules/.installed

clean:
	rm -rf $(VENV) .pytest_cache ide/node_modules tests/federation/node_modules web/node_modules web/dist \
		bench/peer/node_modules
