# Each target installs what is missing first (scripts/setup.sh is idempotent), then does its job.
.PHONY: run demo serve test bench setup setup-test clean

VENV := .venv/bin

run: setup
	$(VENV)/charter new

demo: setup
	$(VENV)/charter demo

serve: setup
	$(VENV)/charter serve

test: setup-test
	$(VENV)/python -m pytest

bench: setup-test
	$(VENV)/python benchmarks/render.py

setup:
	@bash scripts/setup.sh

setup-test:
	@bash scripts/setup.sh --test

clean:
	rm -rf .venv dist build .pytest_cache
