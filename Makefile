# The two commands of the README: `make demo` and `make test`. Each installs what is missing.
SHELL := /bin/bash
VENV  ?= .venv
PY    := $(VENV)/bin/python
BIN   := $(VENV)/bin

.PHONY: demo test lint server venv bench clean

server:
	@if command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing mariadb-server (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server mariadb-client >/dev/null; \
	else \
	  echo "MariaDB server not found: run 'sudo apt-get install mariadb-server mariadb-client' and retry"; exit 1; \
	fi

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip >/dev/null 2>&1 || true
	@$(PY) -m pip install -q -e '.[test]'
	@touch $@

venv: $(VENV)/.installed

lint: venv
	$(BIN)/ruff check mrpplan tests bench
	$(BIN)/ruff format --check mrpplan tests bench
	$(BIN)/mypy mrpplan

test: server venv lint
	$(BIN)/pytest

demo: server venv
	@bash bench/../database/scripts/demo.sh

bench: server venv
	$(PY) bench/run_all.py

clean:
	-$(BIN)/mrpplan sandbox down
	rm -rf .mrpplan $(VENV)
