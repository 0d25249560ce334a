"""Issue 11's cases for the commands that plan and apply in one go (migrate, seed, apply ENV).

Each ran wrong before the kernel: each now takes the lock before anything else, follows the
one approval rule, can save its plan with --out, and leaves the database as it was when it
refuses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


def _hold_lock(db: Any) -> Any:
    holder = db.connect()
    with holder.cursor() as cur:
        cur.execute("SELECT GET_LOCK(%s, 0)", (f"mrpplan:{db.name}",))
    return holder


def test_fresh_with_the_lock_held_drops_nothing(project: Any, cli: Any) -> None:
    assert cli("migrate", "up", "local", "--force").code == 0
    db = project.databases["local"]
    before = db.snapshot()
    holder = _hold_lock(db)
    try:
        refused = cli("migrate", "fresh", "local", "--force", "--no-backup")
    finally:
        holder.close()
    assert refused.code == 3, refused.output
    assert "another apply is running" in refused.output
    assert "Nothing was changed" in refused.output
    assert db.snapshot() == before


@pytest.mark.parametrize(
    "args",
    [
        ("migrate", "up", "prod", "--auto-approve"),
        ("migrate", "up", "prod", "--force"),
        ("seed", "run", "prod", "reference", "--force"),
        ("migrate", "fresh", "prod", "--force", "--no-backup"),
        ("apply", "prod", "--auto-approve"),
    ],
)
def test_protected_env_without_terminal_needs_a_saved_plan(
    project: Any, cli: Any, args: tuple[str, ...]
) -> None:
    db = project.databases["prod"]
    before = db.snapshot()
    refused = cli(*args)
    assert refused.code == 3, refused.output
    assert "protected" in refused.output
    assert "mrpplan apply SAVED_FILE --auto-approve" in refused.output
    assert db.snapshot() == before


def test_out_saves_the_plan_and_apply_runs_exactly_it(project: Any, cli: Any) -> None:
    db = project.databases["prod"]
    saved = cli("migrate", "up", "prod", "--out", "plans/prod-up.json")
    assert saved.code == 0, saved.output
    assert "Nothing was changed" in saved.output
    assert (
        db.query(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s", (db.name,)
        )[0][0]
        == 0
    )
    document = json.loads(Path(project.root, "plans/prod-up.json").read_text())
    assert document["origin"]["builder"] == "converge"
    assert document["seal"] == "hmac-sha256"
    applied = cli("apply", "plans/prod-up.json", "--auto-approve")
    assert applied.code == 0, applied.output
    assert cli("migrate", "status", "prod").code == 0
    again = cli("apply", "plans/prod-up.json", "--auto-approve")
    assert again.code == 3, again.output
    assert "already applied" in again.output


def test_seed_plan_saved_then_applied(project: Any, cli: Any) -> None:
    assert cli("migrate", "up", "local", "--force").code == 0
    saved = cli("seed", "run", "local", "reference", "--out", "plans/seed.json")
    assert saved.code == 0, saved.output
    db = project.databases["local"]
    assert db.query("SELECT COUNT(*) FROM currencies")[0][0] == 0
    applied = cli("apply", "plans/seed.json", "--auto-approve")
    assert applied.code == 0, applied.output
    assert db.query("SELECT COUNT(*) FROM currencies")[0][0] > 0


def test_destructive_plan_without_terminal_needs_force(project: Any, cli: Any) -> None:
    assert cli("migrate", "up", "local", "--force").code == 0
    db = project.databases["local"]
    before = db.snapshot()
    refused = cli("migrate", "fresh", "local", "--no-backup")
    assert refused.code == 3, refused.output
    assert "destructive" in refused.output
    assert db.snapshot() == before


def _on_terminal(root: Path, args: tuple[str, ...], answers: str) -> tuple[int, str]:
    """Run mrpplan with a pseudo-terminal as stdin, typing `answers`."""
    import os
    import subprocess
    import sys

    primary, secondary = os.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mrpplan", *args],
            cwd=root,
            env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
            stdin=secondary,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        os.close(secondary)
        os.write(primary, answers.encode())
        out, _ = proc.communicate(timeout=600)
    finally:
        os.close(primary)
    return proc.returncode, out


def test_interactive_rollback_to_a_chosen_version(project: Any, cli: Any) -> None:
    assert cli("migrate", "up", "local", "--force").code == 0
    code, out = _on_terminal(project.root, ("migrate", "down", "local", "--to"), "2\nyes\n")
    assert code == 0, out
    assert "rolling back undoes" in out
    db = project.databases["local"]
    version = db.query("SELECT MAX(version) FROM mrpplan_schema_history WHERE success = 1")
    assert version[0][0] == "001"
