"""`mrpplan validate` loads the SQL into a scratch database on a server when one is
reachable, so it catches every statement the server would reject; without a server it
says the SQL was only checked offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dbtools import scratch_databases_left

BASE = Path("database") / "schema" / "01_base_schema.sql"


def _append(project: Any, text: str) -> int:
    path = project.root / BASE
    before = path.read_text()
    path.write_text(before + "\n" + text + "\n")
    return before.count("\n") + 2  # the line the statement starts on


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE broken (id int,, );",
        "CREATE TABLE broken (id INT PRIMARY KEY) ENGINE=InnoDB garbage garbage;",
    ],
)
def test_statement_the_server_rejects_is_reported(project: Any, cli: Any, statement: str) -> None:
    line = _append(project, statement)
    result = cli("validate")
    assert result.code == 1, result.output
    assert f"{BASE}:{line}: the server rejected the statement:" in result.stdout
    assert "SQL loaded on the sandbox" in result.stdout
    assert "Traceback" not in result.output
    assert scratch_databases_left(project.databases["local"]) == []


def test_without_a_server_the_sql_is_only_checked_offline(
    project: Any, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MRPPLAN_SANDBOX_DIR", str(tmp_path / "no-sandbox"))
    _append(project, "CREATE TABLE broken (id int,, );")
    result = cli("validate")
    assert result.code == 0, result.output
    assert "SQL checked offline only: no server reachable" in result.stdout


def test_env_server_is_used_and_a_valid_project_is_ok(project: Any, cli: Any) -> None:
    result = cli("validate", "--env", "dev")
    assert result.code == 0, result.output
    assert (
        "OK: 4 environments" in result.stdout
        and "SQL loaded on --env's workspace (the sandbox)" in (result.stdout)
    )
