"""The classic scripts map their flags onto mrpplan commands exactly, and reject unknown ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "database" / "scripts"


@pytest.fixture
def recorder(tmp_path: Path) -> Path:
    """A stand-in `mrpplan` that prints the arguments it was given, one JSON list."""
    script = tmp_path / "record.py"
    script.write_text("import json, sys\nprint(json.dumps(sys.argv[1:]))\n")
    return script


def wrapper(recorder: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MRPPLAN=f"{sys.executable} {recorder}")
    return subprocess.run(
        ["bash", str(SCRIPTS / script), *args], capture_output=True, text=True, env=env, check=False
    )


def called(recorder: Path, script: str, *args: str) -> list[str]:
    done = wrapper(recorder, script, *args)
    assert done.returncode == 0, done.stderr
    argv: list[str] = json.loads(done.stdout)
    assert argv[:2] == ["--project", str(REPO)]
    return argv[2:]


MAPPINGS = [
    ("backup.sh", ["--auto"], ["backup", "local", "--full", "--auto"]),
    ("backup.sh", ["prod", "--schema-only"], ["backup", "prod", "--schema-only"]),
    ("backup.sh", ["--data-only", "--env", "dev"], ["backup", "dev", "--data-only"]),
    ("backup.sh", ["--list"], ["backup", "--list"]),
    ("backup.sh", ["--list", "prod"], ["backup", "--list", "prod"]),
    ("backup.sh", ["--verify", "f.sql.gz"], ["backup", "--verify", "f.sql.gz"]),
    ("backup.sh", ["--verify=f.sql.gz", "--deep"], ["backup", "--verify", "f.sql.gz", "--deep"]),
    ("backup.sh", ["--cleanup"], ["backup", "--cleanup"]),
    ("backup.sh", ["--cleanup", "prod", "--dry-run"], ["backup", "--cleanup", "prod", "--dry-run"]),
    (
        "restore.sh",
        ["--backup-first", "f.sql.gz"],
        ["restore", "local", "f.sql.gz", "--backup-first"],
    ),
    ("restore.sh", ["--dry-run", "f.sql.gz"], ["restore", "local", "f.sql.gz", "--dry-run"]),
    ("restore.sh", ["--env", "dev", "--force", "f"], ["restore", "dev", "f", "--force"]),
    ("restore.sh", ["--env=staging"], ["restore", "staging"]),
    ("migrate.sh", ["status"], ["migrate", "status", "local"]),
    ("migrate.sh", ["up", "dev", "--steps=2"], ["migrate", "up", "dev", "--steps", "2"]),
    (
        "migrate.sh",
        ["down", "--steps=1", "--dry-run"],
        ["migrate", "down", "local", "--steps", "1", "--dry-run"],
    ),
    ("migrate.sh", ["create", "add_lot_tracking"], ["migrate", "create", "add_lot_tracking"]),
    ("migrate.sh", ["fresh", "local", "--force"], ["migrate", "fresh", "local", "--force"]),
    ("sync.sh", ["list-envs"], ["sync", "list-envs"]),
    ("sync.sh", ["status", "prod"], ["sync", "status", "prod"]),
    ("sync.sh", ["pull", "prod", "--backup"], ["sync", "pull", "prod", "--backup"]),
    (
        "sync.sh",
        ["clone", "dev", "staging", "--schema-only"],
        ["sync", "clone", "dev", "staging", "--schema-only"],
    ),
    ("sync.sh", ["compare", "staging", "prod"], ["sync", "compare", "staging", "prod"]),
    (
        "sync.sh",
        ["pull", "prod", "--exclude=audit_log"],
        ["sync", "pull", "prod", "--exclude", "audit_log"],
    ),
    ("seed.sh", ["list"], ["seed", "list"]),
    ("seed.sh", ["run", "dev"], ["seed", "run", "dev"]),
    ("seed.sh", ["run", "dev", "00_reference_data"], ["seed", "run", "dev", "00_reference_data"]),
    ("seed.sh", ["reference"], ["seed", "reference", "local"]),
    ("seed.sh", ["test", "dev"], ["seed", "test", "dev"]),
    ("seed.sh", ["refresh", "local"], ["seed", "refresh", "local"]),
    (
        "seed.sh",
        ["create", "04_extra", "--set", "sample"],
        ["seed", "create", "04_extra", "--set", "sample"],
    ),
    ("seed.sh", ["status", "local", "--track"], ["seed", "status", "local", "--track"]),
]


@pytest.mark.parametrize(("script", "args", "expected"), MAPPINGS)
def test_classic_flags_map_onto_mrpplan(
    recorder: Path, script: str, args: list[str], expected: list[str]
) -> None:
    assert called(recorder, script, *args) == expected


@pytest.mark.parametrize(
    ("script", "args", "suggestion"),
    [
        ("backup.sh", ["--compress-level=9"], "--schema-only"),
        ("restore.sh", ["--yes", "f"], "--force"),
        ("migrate.sh", ["up", "--step=2"], "--steps=N"),
        ("migrate.sh", ["rollback"], "status, up, down, create, fresh"),
        ("sync.sh", ["push", "prod"], "list-envs, status, pull, clone, compare"),
        ("seed.sh", ["status", "--history"], "--track"),
    ],
)
def test_unknown_flags_say_what_to_use_instead(
    recorder: Path, script: str, args: list[str], suggestion: str
) -> None:
    done = wrapper(recorder, script, *args)
    assert done.returncode == 64
    assert done.stdout == ""  # mrpplan was never called
    assert "unknown option" in done.stderr
    assert suggestion in done.stderr
