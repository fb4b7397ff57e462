.PHONY: install run console test lint bench
install:
	python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'
run:
	.venv/bin/cogep run --migrate
console:
	.venv/bin/cogep console
test:
	.venv/bin/pytest
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy
bench:
	.venv/bin/python -m bench.updates && .venv/bin/python -m bench.processos
