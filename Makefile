# Each target installs what is missing first (scripts/setup.sh is idempotent), then does its job.
# ARGS passes options to the command: make serve ARGS="--port 8123", make run ARGS="--out x".
.PHONY: run demo serve test bench setup setup-test clean

VENV := .venv/bin
ARGS ?=

run: setup
	$(VENV)/charter new $(ARGS)

demo: setup
	$(VENV)/charter demo $(ARGS)

serve: setup
	$(VENV)/charter serve $(ARGS)

test: setup-test
	$(VENV)/python -m pytest -n auto $(ARGS)

bench: setup-test
	$(VENV)/python benchmarks/render.py $(ARGS)
	$(VENV)/python benchmarks/chromium.py
	$(VENV)/python benchmarks/batch.py
	$(VENV)/python benchmarks/roster.py
	$(VENV)/python benchmarks/register.py
	$(VENV)/python benchmarks/web.py

setup:
	@bash scripts/setup.sh

setup-test:
	@bash scripts/setup.sh --test

clean:
	rm -rf .venv dist build .pytest_cache
