"""`validate --seeds` / `validate --env ENV`: each seed runs twice in a scratch database."""

from __future__ import annotations

from typing import Any

from dbtools import scratch_databases_left

BAD_SEED = """-- a plain INSERT: every run adds the row again
INSERT INTO audit_log (table_name, record_id, action, changed_by)
VALUES ('items', 1, 'insert', 'seed');
"""


def test_example_seeds_are_idempotent(project: Any, cli: Any) -> None:
    result = cli("validate", "--seeds")
    assert result.code == 0, result.output
    assert "OK: every seed is idempotent" in result.stdout


def test_a_seed_that_adds_rows_each_run_is_named(project: Any, cli: Any) -> None:
    (project.root / "database" / "seeds" / "01_test_audit.sql").write_text(BAD_SEED)
    before = project.databases["dev"].query("SHOW TABLES")
    result = cli("validate", "--env", "dev")
    assert result.code == 1, result.output
    assert "01_test_audit.sql: seed is not idempotent" in result.stdout
    assert "audit_log" in result.stdout and "ON DUPLICATE KEY UPDATE" in result.stdout
    assert project.databases["dev"].query("SHOW TABLES") == before  # dev itself untouched
    assert scratch_databases_left(project.databases["dev"]) == []
