"""Failures and killed applies: the database ends exactly where it was (schema and data)."""

from __future__ import annotations

import json

from dbtools import start_cli
from plan_test_support import (
    append_base_schema,
    edit_base_schema,
    journal_status,
    snapshot,
    user_tables,
    wait_for,
    without_sync,
)


def _built(project, cli) -> None:
    """local at the latest version with all its seed data."""
    without_sync(project.root, "local")
    result = cli("apply", "local", "--auto-approve")
    assert result.code == 0, result.output


def _apply_killed_during(
    project, db, plan: str, statement_like: str, hold: str | None = None
) -> object:
    """Start `apply PLAN` and kill -9 it while a statement LIKE `statement_like` runs.

    With `hold`, a reader transaction on that table is opened as soon as the statement is
    seen, and returned still open: a copying ALTER then waits for it at its final rename
    instead of finishing on the server before the test can kill its connection."""
    proc = start_cli("apply", plan, "--auto-approve", env={}, cwd=project.root)
    reader = None

    def running() -> bool:
        rows = db.query(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE %s",
            (statement_like.replace("%%", "%"),),
        )
        return bool(rows[0][0]) or proc.poll() is not None

    try:
        wait_for(running, f"a statement like {statement_like!r} to start")
        if hold is not None:
            reader = db.connect()
            with reader.cursor() as cur:
                cur.execute("START TRANSACTION")
                cur.execute(f"SELECT COUNT(*) FROM `{hold}` WHERE id = 1")
        assert proc.poll() is None, "the statement finished before it could be interrupted"
    finally:
        proc.kill()
        proc.wait()
    return reader


def test_failing_statement_rolls_everything_back(project, cli) -> None:
    _built(project, cli)
    db = project.databases["local"]
    append_base_schema(project.root, "CREATE TABLE zz_first (id INT PRIMARY KEY) ENGINE=InnoDB;")
    edit_base_schema(project.root, "    notes           TEXT          NULL,\n", "")
    # the test data has several active warehouses: this unique index cannot be built
    edit_base_schema(
        project.root,
        "CREATE TABLE warehouses (\n",
        "CREATE TABLE warehouses (\n    UNIQUE KEY uq_one_active (is_active),\n",
    )
    env_file = project.root / "environments" / "local.yaml"  # the rows fail it: no pre-flight
    env_file.write_text(env_file.read_text() + "  preflight: {enabled: false}\n")
    before = snapshot(db)
    made = cli("plan", "local", "--out", "plans/fail.json")
    assert made.code == 0, made.output
    steps = json.loads((project.root / "plans" / "fail.json").read_text())["steps"]
    failing = next(s for s in steps if "uq_one_active" in " ".join(s["sql"]))
    assert steps.index(failing) > 0, "the failing step should not be the first"
    result = cli("apply", "plans/fail.json", "--auto-approve")
    assert result.code == 1, result.output
    assert f"step {failing['id']} of {len(steps)}" in result.stderr
    assert "Duplicate entry" in result.stderr
    assert "back where it was" in result.stderr
    assert snapshot(db) == before


def test_killed_between_steps_then_recover_rolls_back(project, cli) -> None:
    _built(project, cli)
    db = project.databases["local"]
    append_base_schema(project.root, "CREATE TABLE zz_one (id INT PRIMARY KEY) ENGINE=InnoDB;")
    append_base_schema(project.root, "CREATE TABLE zz_two (id INT PRIMARY KEY) ENGINE=InnoDB;")
    before = snapshot(db)
    assert cli("plan", "local", "--out", "plans/kill.json").code == 0
    proc = start_cli(
        "apply",
        "plans/kill.json",
        "--auto-approve",
        env={"MRPPLAN_TEST_PAUSE_AFTER_STEP": "1", "MRPPLAN_TEST_PAUSE_SECONDS": "600"},
        cwd=project.root,
    )
    try:
        wait_for(lambda: journal_status(db, "1") == "done", "step 1 to finish")
    finally:
        proc.kill()
        proc.wait()
    assert snapshot(db) != before
    again = cli("apply", "plans/kill.json", "--auto-approve")
    assert again.code == 3, again.output
    assert "recover" in again.stderr
    recovered = cli("recover", "local")
    assert recovered.code == 0, recovered.output
    assert "back where it was" in recovered.stdout
    assert snapshot(db) == before
    assert cli("recover", "local").stdout.startswith("Nothing to recover")


def test_killed_then_recover_forward_finishes_the_plan(project, cli) -> None:
    _built(project, cli)
    db = project.databases["local"]
    append_base_schema(project.root, "CREATE TABLE zz_one (id INT PRIMARY KEY) ENGINE=InnoDB;")
    append_base_schema(project.root, "CREATE TABLE zz_two (id INT PRIMARY KEY) ENGINE=InnoDB;")
    assert cli("plan", "local", "--out", "plans/kill.json").code == 0
    proc = start_cli(
        "apply",
        "plans/kill.json",
        "--auto-approve",
        env={"MRPPLAN_TEST_PAUSE_AFTER_STEP": "1", "MRPPLAN_TEST_PAUSE_SECONDS": "600"},
        cwd=project.root,
    )
    try:
        wait_for(lambda: journal_status(db, "1") == "done", "step 1 to finish")
    finally:
        proc.kill()
        proc.wait()
    finished = cli("recover", "local", "--forward", "plans/kill.json")
    assert finished.code == 0, finished.output
    assert cli("plan", "local", "--detailed-exitcode").code == 0


def test_killed_during_a_long_alter_then_recover(project, cli) -> None:
    without_sync(project.root, "local")
    append_base_schema(
        project.root,
        "CREATE TABLE zz_big (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, "
        "pad CHAR(60) NOT NULL DEFAULT '') ENGINE=InnoDB;",
    )
    _built(project, cli)
    db = project.databases["local"]
    db.execute(
        "INSERT INTO zz_big (id, v, pad) SELECT seq, seq % 1000, REPEAT('x', 60) "
        "FROM seq_1_to_400000"
    )
    edit_base_schema(project.root, "v INT NOT NULL, pad", "v BIGINT NOT NULL, pad")
    before = snapshot(db)
    made = cli("plan", "local", "--out", "plans/alter.json", "--sql")
    assert made.code == 0, made.output
    assert "zz_big" in made.stdout
    _apply_killed_during(project, db, "plans/alter.json", "ALTER TABLE%%zz_big%%")
    recovered = cli("recover", "local")
    assert recovered.code == 0, recovered.output
    assert snapshot(db) == before


def test_killed_in_the_second_statement_of_a_migration_then_recover(project, cli) -> None:
    """recover settles the running statement by the fingerprint of what that statement
    changes. The process is killed and so is its connection on the server (as a DBA's
    KILL or a server restart would): the copying ALTER never took effect, so only the
    first statement is undone (undoing the second too would fail: no column big2)."""
    _built(project, cli)
    migrations = project.root / "database" / "migrations"
    (migrations / "004_big.sql").write_text(
        "-- mrpplan:up\nCREATE TABLE zz_big (id INT NOT NULL PRIMARY KEY, v INT NOT NULL,"
        " pad CHAR(60) NOT NULL DEFAULT '') ENGINE=InnoDB;\n"
    )
    first = cli("apply", "local", "--auto-approve")
    assert first.code == 0, first.output
    db = project.databases["local"]
    db.execute(
        "INSERT INTO zz_big (id, v, pad) SELECT seq, seq % 1000, REPEAT('x', 60) "
        "FROM seq_1_to_400000"
    )
    (migrations / "005_reshape.sql").write_text(
        "-- mrpplan:up\n"
        "ALTER TABLE zz_big ADD COLUMN w INT NULL;\n"
        "ALTER TABLE zz_big ADD COLUMN big2 INT NOT NULL DEFAULT 0, ALGORITHM=COPY;\n"
        "CREATE TABLE zz_after (id INT PRIMARY KEY) ENGINE=InnoDB;\n"
    )
    before = snapshot(db)
    made = cli("plan", "local", "--out", "plans/reshape.json")
    assert made.code == 0, made.output
    reader = _apply_killed_during(
        project, db, "plans/reshape.json", "ALTER TABLE%%big2%%", hold="zz_big"
    )
    try:
        running = db.query(
            "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'ALTER TABLE%%big2%%'"
        )
        assert running, "the ALTER ended before its connection could be killed"
        db.execute(f"KILL CONNECTION {int(running[0][0])}")
    finally:
        reader.rollback()
        reader.close()
    recovered = cli("recover", "local")
    assert recovered.code == 0, recovered.output
    assert snapshot(db) == before
    columns = {str(r[0]) for r in db.query("SHOW COLUMNS FROM zz_big")}
    assert columns == {"id", "v", "pad"}


def _kill_after_step(project, db, plan: str, step_id: str) -> None:
    proc = start_cli(
        "apply",
        plan,
        "--auto-approve",
        env={"MRPPLAN_TEST_PAUSE_AFTER_STEP": step_id, "MRPPLAN_TEST_PAUSE_SECONDS": "600"},
        cwd=project.root,
    )
    try:
        wait_for(lambda: journal_status(db, step_id) == "done", f"step {step_id} to finish")
    finally:
        proc.kill()
        proc.wait()


def test_killed_in_a_batch_of_creates_then_recover(project, cli) -> None:
    """A new database's creates are journaled in batches: killed after step 5 of a batch
    (later ones journaled as started, never run), recover rolls back exactly; forward
    finishes from step 6."""
    db = project.databases["prod"]  # empty: the plan creates every table
    made = cli("plan", "prod", "--out", "plans/new.json")
    assert made.code == 0, made.output
    steps = json.loads((project.root / "plans" / "new.json").read_text())["steps"]
    assert [(s["id"], s["action"]) for s in steps[:7]] == [
        (str(n), "create_table") for n in range(1, 8)
    ]
    _kill_after_step(project, db, "plans/new.json", "5")
    started = db.query(
        "SELECT COUNT(*) FROM mrpplan_apply_journal WHERE status = 'started' AND step_id <> 'plan'"
    )[0][0]
    assert started > 1, "the steps after 5 were journaled in the same batch"
    recovered = cli("recover", "prod")
    assert recovered.code == 0, recovered.output
    assert user_tables(db) == []
    states = db.query(
        "SELECT DISTINCT status FROM mrpplan_apply_journal WHERE step_id <> 'plan'"
        " AND apply_id = (SELECT apply_id FROM mrpplan_apply_journal WHERE step_id = 'plan'"
        " ORDER BY id DESC LIMIT 1)"
    )
    assert {str(r[0]) for r in states} == {"reverted"}
    _kill_after_step(project, db, "plans/new.json", "5")
    forward = cli("recover", "prod", "--forward", "plans/new.json")
    assert forward.code == 0, forward.output
    assert cli("plan", "prod", "--detailed-exitcode").code == 0


def test_undoing_a_migrate_down_puts_the_history_row_back_exactly(project, cli) -> None:
    """Found by the kernel property: the undo of a `migrate down` re-recorded the removed
    history row with the undo's time and account instead of the row's own."""
    _built(project, cli)
    db = project.databases["local"]
    before = snapshot(db)
    history = db.query("SELECT * FROM mrpplan_schema_history ORDER BY version")
    planned = cli("migrate", "down", "local", "--to", "001", "--out", "plans/down.json")
    assert planned.code == 0, planned.output
    steps = json.loads((project.root / "plans" / "down.json").read_text())["steps"]
    down = next(s["id"] for s in steps if s["action"] == "migrate_down")
    _kill_after_step(project, db, "plans/down.json", down)
    recovered = cli("recover", "local")
    assert recovered.code == 0, recovered.output
    assert db.query("SELECT * FROM mrpplan_schema_history ORDER BY version") == history
    assert snapshot(db) == before
