# The two commands a newcomer needs (see README):  make run   and   make test
.PHONY: run test lint test-noqt bench sample clean

run:
	@scripts/setup.sh app
	.venv/bin/dischargedesk

test:
	@scripts/setup.sh test
	QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -n auto --dist worksteal --durations=25

lint:
	@scripts/setup.sh dev
	.venv/bin/ruff check src tests bench
	.venv/bin/mypy
	.venv/bin/lint-imports --no-cache

# the engine's tests in a venv without PySide6 (.venv-noqt)
test-noqt:
	@scripts/test-without-qt.sh

sample:
	@scripts/setup.sh app
	.venv/bin/dischargedesk sample --out sample-handouts

bench:
	@scripts/setup.sh test
	.venv/bin/python bench/engine.py

clean:
	rm -rf .venv .venv-noqt build dist sample-handouts
