# The two commands of the README: `make demo` and `make test`. Each installs what is missing.
SHELL := /bin/bash
VENV  ?= .venv
PY    := $(VENV)/bin/python
BIN   := $(VENV)/bin

.PHONY: demo test lint server venv bench clean

server:
	@if { command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; } && command -v zstd >/dev/null 2>&1 \
	    && command -v pt-online-schema-change >/dev/null 2>&1 && [ -f /usr/lib/galera/libgalera_smm.so ] \
	    && command -v rsync >/dev/null 2>&1 && command -v igzip >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing mariadb-server, zstd, percona-toolkit, galera-4, rsync, isal (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server mariadb-client zstd percona-toolkit galera-4 rsync >/dev/null \
	    && { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq isal >/dev/null 2>&1 || echo "isal (igzip) not installed: gzip backups use the isal Python package instead"; }; \
	elif { command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; } && command -v zstd >/dev/null 2>&1; then \
	  echo "optional tools missing: without pt-online-schema-change or galera-4 their tests are skipped; without igzip gzip is slower (sudo apt-get install percona-toolkit galera-4 rsync isal)"; \
	else \
	  echo "MariaDB server or zstd not found: run 'sudo apt-get install mariadb-server mariadb-client zstd percona-toolkit' and retry"; exit 1; \
	fi

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip >/dev/null 2>&1 || true
	@echo "installing mrpplan into $(VENV) (pip install -e '.[test]')"
	@$(PY) -m pip install -q -e '.[test]' >$(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	@touch $@

venv: $(VENV)/.installed

lint: venv
	$(BIN)/ruff check mrpplan tests bench
	$(BIN)/ruff format --check mrpplan tests bench
	$(BIN)/mypy mrpplan
	$(BIN)/lint-imports

test: server venv lint
	$(BIN)/pytest

# The demo runs only against the sandbox, whatever .env says: these empty variables
# override it, so each environment falls back to the sandbox's option file. Your own
# MRPPLAN_PLAN_KEY is never used: no demo plan is sealed with the team's key.
SANDBOX_ONLY := $(foreach e,LOCAL DEV STAGING PROD,$(e)_DB_HOST= $(e)_DB_PORT= $(e)_DB_USER= \
	$(e)_DB_PASSWORD= $(e)_DB_OPTION_FILE=.mrpplan/sandbox/client.cnf) PROD_DB_NAME=mrp_erp_prod
MRPPLAN := env -u MRPPLAN_PLAN_KEY $(SANDBOX_ONLY) $(BIN)/mrpplan
# prod is protected: without a terminal it takes only saved plans sealed with a key. The
# demo seals its plans with a throwaway key that lives only in the environment of the one
# shell running steps 3 to 7 (never in a file, an argument or a plan, which holds just the
# HMAC) and dies with it. An apply's progress goes to a log, shown in full if it fails.
KEYED := env $(SANDBOX_ONLY) $(BIN)/mrpplan
DEMO_LOG := .mrpplan/demo-apply.log
demo_apply = { $(KEYED) apply $(1) --auto-approve >$(DEMO_LOG) 2>&1 \
	|| { cat $(DEMO_LOG) >&2; exit 1; }; } && tail -n 1 $(DEMO_LOG)

demo: server venv
	@echo "== 1. a local MariaDB sandbox";        $(MRPPLAN) sandbox up
	@echo "== 2. checks: environment files, SQL loaded on the sandbox"; $(MRPPLAN) validate
	@export MRPPLAN_PLAN_KEY="$$($(PY) -c 'import secrets; print(secrets.token_hex(32))')" \
	  && { test -n "$$MRPPLAN_PLAN_KEY" || { echo "demo: no throwaway plan key was made" >&2; exit 1; }; } \
	  && echo "== 3. an example prod database that is behind: schema 001 and reference data" \
	  && mariadb --defaults-extra-file=.mrpplan/sandbox/client.cnf -e "DROP DATABASE IF EXISTS mrp_erp_prod" \
	  && PROD_SCHEMA_VERSION=001 $(KEYED) plan prod --out .mrpplan/demo-prod-001.json >/dev/null \
	  && $(call demo_apply,.mrpplan/demo-prod-001.json) \
	  && echo "== 4. a backup of it" && $(KEYED) backup prod --auto \
	  && echo "== 5. where prod stands" && $(KEYED) migrate status prod \
	  && echo "== 6. the main job: what would bring prod to the latest schema?" \
	  && $(KEYED) plan prod --out .mrpplan/demo-prod-latest.json \
	  && echo "== 7. apply the reviewed plan file (in CI: after approval)" \
	  && $(call demo_apply,.mrpplan/demo-prod-latest.json)

bench: server venv
	$(BIN)/mrpplan sandbox up
	$(PY) bench/bench_schema.py
	$(PY) bench/bench_plan.py
	$(PY) bench/bench_backup.py
	$(PY) bench/bench_sync.py
	$(PY) bench/bench_online.py
	$(PY) bench/bench_pitr.py

clean:
	-$(BIN)/mrpplan sandbox down
	rm -rf .mrpplan $(VENV)
