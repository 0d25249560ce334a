"""The old README's `.env` names, flag conflicts, --verbose anywhere, and how the wrappers
pick the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mrpplan.config import Project, load_environment
from mrpplan.config.expand import expand, is_single_reference


def test_nested_defaults_expand_innermost_last() -> None:
    variables = {"DB_NAME": "mrp_erp", "EMPTY": ""}
    assert expand("${PROD_DB_NAME:-${DB_NAME:-x}}", variables, "f") == "mrp_erp"
    assert expand("${PROD_DB_NAME:-${NOPE:-x}}", variables, "f") == "x"
    assert expand("${DB_NAME:-${NOPE}}", variables, "f") == "mrp_erp"  # default not needed
    assert expand("a${EMPTY}b${DB_NAME}c", variables, "f") == "abmrp_erpc"
    assert is_single_reference("${A:-${B:-3}}") and not is_single_reference("${A}${B}")


def test_readme_env_names_fill_what_the_environment_files_leave_open(
    project: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LOCAL_DB_NAME", "PROD_DB_NAME"):
        monkeypatch.delenv(name)
    (project.root / ".env").write_text(
        'DB_NAME="mrp_erp"\nDB_USER="root"\nDB_BACKUP_RETENTION_DAYS=45\n'
    )
    monkeypatch.setenv("PROD_DB_NAME", "mrp_erp_prod_explicit")
    root = Project(project.root)
    local = load_environment(root, "local")
    assert local.connection.database == "mrp_erp"  # DB_NAME, as the old scripts used it
    assert local.connection.user == "root"
    assert local.backup.retention_days == 45
    assert load_environment(root, "prod").connection.database == "mrp_erp_prod_explicit"
    monkeypatch.setenv("LOCAL_DB_BACKUP_RETENTION_DAYS", "3")
    assert load_environment(Project(project.root), "local").backup.retention_days == 3


def test_host_names_from_the_readme_env(project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGING_DB_HOST", "staging-server")
    assert load_environment(Project(project.root), "staging").connection.host == "staging-server"


def test_conflicting_flags_are_usage_errors(project: Any, cli: Any) -> None:
    backup = cli("backup", "local", "--full", "--schema-only")
    assert backup.code == 64 and "--full and --schema-only cannot be combined" in backup.stderr
    sync = cli("sync", "pull", "prod", "--schema-only", "--data-only", "--dry-run")
    assert sync.code == 64 and "--schema-only and --data-only" in sync.stderr


def test_verbose_after_the_command(project: Any, cli: Any) -> None:
    result = cli("backup", "--list", "--verbose")
    assert result.code == 0, result.output


SCRIPTS = Path(__file__).resolve().parents[2] / "database" / "scripts"


def _argv(*line: str, env: dict[str, str] | None = None) -> list[str]:
    full = dict(os.environ)
    full.pop("MRPPLAN_ENV", None)
    full.update(env or {})
    script = Path(__file__).parent / "record.py"
    full["MRPPLAN"] = f"{sys.executable} {script}"
    done = subprocess.run(
        ["bash", str(SCRIPTS / line[0]), *line[1:]],
        capture_output=True,
        text=True,
        env=full,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout)[2:])


@pytest.mark.parametrize(
    ("line", "env", "expected"),
    [
        (("backup.sh", "--full"), {}, ["backup", "local", "--full"]),
        (("backup.sh", "--full", "--env", "prod"), {}, ["backup", "prod", "--full"]),
        (("backup.sh", "-e", "staging", "--auto"), {}, ["backup", "staging", "--full", "--auto"]),
        (("backup.sh", "prod"), {}, ["backup", "prod", "--full"]),
        (("backup.sh", "--full"), {"MRPPLAN_ENV": "prod"}, ["backup", "prod", "--full"]),
        (
            ("backup.sh", "--full", "-e", "dev"),
            {"MRPPLAN_ENV": "prod"},
            ["backup", "dev", "--full"],
        ),
        (("seed.sh", "run", "01_test_data"), {}, ["seed", "run", "local", "01_test_data"]),
        (("seed.sh", "run", "dev", "01_test_data"), {}, ["seed", "run", "dev", "01_test_data"]),
        (("migrate.sh", "--verbose", "up"), {}, ["--verbose", "migrate", "up", "local"]),
        (("migrate.sh", "down", "--to", "002"), {}, ["migrate", "down", "local", "--to", "002"]),
        (("restore.sh", "--list"), {}, ["backup", "--list"]),
        (("restore.sh", "--list", "-e", "prod"), {}, ["backup", "--list", "prod"]),
        (
            ("restore.sh", "x.sql.gz", "--verbose"),
            {},
            ["--verbose", "restore", "local", "x.sql.gz"],
        ),
        (("sync.sh", "pull", "prod", "-e", "dev"), {}, ["sync", "pull", "prod", "--to", "dev"]),
    ],
)
def test_wrappers_pick_the_environment(
    line: tuple[str, ...], env: dict[str, str], expected: list[str]
) -> None:
    assert _argv(*line, env=env) == expected


def test_a_word_that_is_no_environment_is_a_usage_error() -> None:
    done = subprocess.run(
        ["bash", str(SCRIPTS / "backup.sh"), "prdo"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 64 and "'prdo' is not an environment" in done.stderr
