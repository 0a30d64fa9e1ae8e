# Everything goes through the two environments that scripts/bootstrap.sh creates or updates.
SHELL := /bin/bash
RASA := .venv-rasa/bin/rasa
APP := .venv/bin/assistant
RASA_ARGS := --config config.yml --domain assistant/rasa/domain --data assistant/rasa/data
export RASA_TELEMETRY_ENABLED := false
export HF_HUB_OFFLINE := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_CACHE_DIRECTORY := $(CURDIR)/var/rasa-cache

.PHONY: setup run prepare train validate test test-prereqs test-rasa test-py eval bench clean

setup:  ## create or update .venv and .venv-rasa (only when their requirements changed)
	@bash scripts/bootstrap.sh

run: setup  ## migrate, load demo data, build indexes, train if needed, start all services (Ctrl-C stops them)
	@$(APP) run

prepare: setup
	@$(APP) prepare

train: setup
	@$(APP) train

validate: setup  ## Rasa's own consistency check of domain, data and config
	$(RASA) data validate $(RASA_ARGS) --fail-on-warnings

test-rasa: train
	$(RASA) test core --model var/models/assistant.tar.gz --stories tests/rasa --out var/rasa-test-results --fail-on-prediction-errors

test-prereqs: setup  ## Chromium for the browser tests; PostgreSQL and Redis when we may install them
	@bash scripts/test-prereqs.sh

test-py: train test-prereqs
	set -a && . var/test-services.env && set +a && .venv/bin/pytest

test: validate test-rasa test-py  ## the whole suite: Rasa validation and test stories, then pytest (unit, integration, browser)

eval: prepare  ## knowledge-base retrieval, job recommendation and escalation figures
	@$(APP) eval

bench: prepare  ## speed and memory figures (README, Performance)
	@$(APP) bench

clean:
	rm -rf var .venv .venv-rasa api/web/node_modules
