PY ?= python3

.PHONY: install test lint demo

install:
	$(PY) -m pip install -q -e '.[local,dev]'

test: install
	$(PY) -m ruff check src tests bench
	$(PY) -m pytest -q

demo: install
	bash examples/demo.sh
