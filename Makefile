PY ?= python3

.PHONY: install test lint demo

install:
	$(PY) -m pip install -q -e '.[dev]'

test: install
	$(PY) -m ruff check src tests bench
	$(PY) -m pytest -q

demo: install
	bash examples/demo.sh
