"""`mrpplan validate` loads the SQL into a scratch database on a server when one is
reachable, so it catches every statement the server would reject; without a server the
offline check is strict on its own (exit 1 naming file and line) and says the SQL was only
checked offline."""

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


def test_statement_the_server_rejects_is_reported(project: Any, cli: Any) -> None:
    # sqlglot cannot read it to its end: the server decides, and it rejects it
    line = _append(
        project, "CREATE TABLE broken (id INT PRIMARY KEY) ENGINE=InnoDB garbage garbage;"
    )
    result = cli("validate")
    assert result.code == 1, result.output
    assert f"{BASE}:{line}: the server rejected the statement:" in result.stdout
    assert "SQL loaded on the sandbox" in result.stdout
    assert "Traceback" not in result.output
    assert scratch_databases_left(project.databases["local"]) == []


def test_a_form_sqlglot_cannot_read_is_accepted_when_the_server_loads_it(
    project: Any, cli: Any
) -> None:
    # valid MariaDB that no offline rule knows: the server that loaded it has the last word
    _append(
        project,
        "CREATE TABLE stamped (id INT PRIMARY KEY) ENGINE=InnoDB STATS_AUTO_RECALC=DEFAULT;",
    )
    result = cli("validate")
    assert result.code == 0, result.output
    assert "SQL loaded on the sandbox" in result.stdout


@pytest.mark.parametrize(
    ("statement", "says"),
    [
        ("CREATE TABLE broken (id int,, );", "an empty list item (',' followed by ',')"),
        ("CREATE TABLE broken (id int,\n  name VARCHAR(20),\n);", "',' followed by ')'"),
        (
            "CREATE TABLE broken (id INT PRIMARY KEY) ENGINE=InnoDB garbage garbage;",
            "the parser cannot read this statement to its end",
        ),
        ("ALTER TABLE items blah;", "the parser cannot read this statement to its end"),
    ],
)
def test_without_a_server_a_syntax_error_is_still_caught(
    project: Any,
    cli: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    statement: str,
    says: str,
) -> None:
    """The PR job may have no server: validate must still exit 1 naming file and line."""
    monkeypatch.setenv("MRPPLAN_SANDBOX_DIR", str(tmp_path / "no-sandbox"))
    line = _append(project, statement)
    line += 1 if "followed by ')'" in says else 0  # the line of the stray comma
    result = cli("validate")
    assert result.code == 1, result.output
    assert f"{BASE}:{line}: SQL does not parse: " in result.stdout and says in result.stdout
    assert "Traceback" not in result.output


def test_without_a_server_the_example_project_is_valid(
    project: Any, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MRPPLAN_SANDBOX_DIR", str(tmp_path / "no-sandbox"))
    result = cli("validate")
    assert result.code == 0, result.output
    assert result.stdout.strip() == (
        "OK: 4 environments, 8 SQL files, 3 migrations "
        "(SQL checked offline only: no server reachable)"
    )


def test_env_server_is_used_and_a_valid_project_is_ok(project: Any, cli: Any) -> None:
    result = cli("validate", "--env", "dev")
    assert result.code == 0, result.output
    assert (
        "OK: 4 environments" in result.stdout
        and "SQL loaded on --env's workspace (the sandbox)" in (result.stdout)
    )
