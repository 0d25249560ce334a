"""The database server itself dies during an apply (issue 23): `kill -9` of mariadbd, a
clean SHUTDOWN, a KILL of mrpplan's connection. The server is restarted on the same data
directory and `recover` (or `recover --forward`) must end exactly at the prior (or the
planned) state, or stop naming every difference; the apply must say that the connection
was lost, where, and that `recover` must run.

These tests use a second sandbox server of their own (one for the module, restarted per
case): they kill it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from dbtools import REPO, Database, drop_database, make_database, run_cli, start_cli
from plan_test_support import journal_status, snapshot, wait_for, without_sync

from mrpplan import sandbox


@dataclass
class CrashServer:
    """The module's own server: killed and restarted on the same data directory."""

    base: Path
    info: sandbox.SandboxInfo

    def kill(self) -> None:
        pid = self.info.pid
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)  # it is this process's child
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        raise AssertionError("mariadbd did not die")

    def restart(self) -> None:
        assert sandbox.status(self.base) is None, "the server is still running"
        self.info = sandbox.up(self.base, port=self.info.port)

    def wait_down(self) -> None:
        wait_for(lambda: sandbox.status(self.base) is None, "the server to stop")
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.info.pid, 0)


@pytest.fixture(scope="module")
def crash_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrashServer]:
    base = tmp_path_factory.mktemp("crash") / "sandbox"
    info = sandbox.up(base)
    try:
        yield CrashServer(base, info)
    finally:
        sandbox.down(base)


@dataclass
class Project:
    root: Path
    db: Database
    server: CrashServer

    def cli(self, *args: str) -> Any:
        return run_cli(*args, cwd=self.root)


@pytest.fixture
def crashed(
    tmp_path: Path,
    crash_server: CrashServer,
    monkeypatch: pytest.MonkeyPatch,
    shared_cache: Path,
) -> Iterator[Project]:
    """The example project with `local` on the crash server, built with its seeds."""
    if sandbox.status(crash_server.base) is None:  # a failed case left it down
        crash_server.restart()
    root = tmp_path / "project"
    root.mkdir()
    for part in ("environments", "database"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("backups"))
    (root / "plans").mkdir()
    (root / ".mrpplan").mkdir()
    (root / ".mrpplan" / "cache").symlink_to(shared_cache, target_is_directory=True)
    without_sync(root, "local")
    db = make_database(crash_server.info, "crash")
    for key in list(os.environ):
        if key.endswith(("_DB_HOST", "_DB_PORT", "_DB_USER", "_DB_PASSWORD", "_SCHEMA_VERSION")):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LOCAL_DB_NAME", db.name)
    monkeypatch.setenv("LOCAL_DB_OPTION_FILE", str(crash_server.info.option_file))
    monkeypatch.setenv("MRPPLAN_PLAN_KEY", "test-suite-plan-key")
    monkeypatch.chdir(root)
    project = Project(root, db, crash_server)
    built = project.cli("apply", "local", "--auto-approve")
    assert built.code == 0, built.output
    try:
        yield project
    finally:
        if sandbox.status(crash_server.base) is None:
            crash_server.restart()
        drop_database(crash_server.info, db.name)


def _journal_header(db: Database) -> str:
    rows = db.query(
        "SELECT status FROM mrpplan_apply_journal WHERE step_id = 'plan' ORDER BY id DESC"
    )
    return str(rows[0][0])


def _running(db: Database, like: str) -> bool:
    try:
        rows = db.query(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE %s "
            "AND DB = %s",  # not its rehearsal on empty copies (in a scratch database)
            (like, db.name),
        )
    except Exception:
        return False
    return bool(rows[0][0])


def _lost_connection_reported(stderr: str, step: str | None = None) -> None:
    """What a user must read when the server went away under an apply."""
    assert "the connection to the database server was lost" in stderr, stderr
    if step is not None:
        assert f"step {step} of" in stderr, stderr
    assert "mrpplan recover local" in stderr, stderr
    assert "(0) ." not in stderr, stderr


def _kill_server_during(project: Project, plan: str, like: str) -> str:
    """Start `apply PLAN`, kill -9 mariadbd while a statement LIKE `like` runs, restart
    it; the apply's stderr."""
    proc = start_cli("apply", plan, "--auto-approve", env={}, cwd=project.root)
    try:
        wait_for(
            lambda: _running(project.db, like) or proc.poll() is not None,
            f"a statement like {like!r} to start",
        )
        assert proc.poll() is None, "the statement finished before the server could be killed"
        project.server.kill()
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1, stderr
    project.server.restart()
    return stderr


def _big_items(project: Project, rows: int = 60_000) -> None:
    project.db.execute(
        "INSERT INTO items (item_code, description, item_type_id, uom_id, cost_currency) "
        "SELECT CONCAT('CRASH-', seq), 'crash test part', (SELECT MIN(id) FROM item_types), "
        "(SELECT MIN(id) FROM units_of_measure), (SELECT MIN(currency_code) FROM currencies) "
        f"FROM seq_1_to_{rows}"
    )


def _plan(project: Project, name: str) -> str:
    made = project.cli("plan", "local", "--out", f"plans/{name}.json")
    assert made.code == 0, made.output
    return f"plans/{name}.json"


def _at_planned_state(project: Project) -> None:
    again = project.cli("plan", "local", "--detailed-exitcode")
    assert again.code == 0, again.output
    assert _journal_header(project.db) == "done"


_COPY_ALTER = (
    "-- mrpplan:up\n"
    "ALTER TABLE items ADD COLUMN shelf_life_days SMALLINT UNSIGNED NULL AFTER weight_kg,\n"
    "    ADD CONSTRAINT chk_items_shelf_life CHECK (shelf_life_days < 10000);\n"
    "CREATE TABLE zz_after_alter (id INT PRIMARY KEY) ENGINE=InnoDB;\n"
)


def _migration(project: Project, name: str, text: str) -> None:
    (project.root / "database" / "migrations" / name).write_text(text)


def test_copy_alter_server_killed_mid_copy(crashed: Project) -> None:
    """A migration's copy ALTER of items (as 003's): the server dies while it copies the
    rows. The apply says the connection was lost (not "(0) ."); after a restart `recover`
    ends exactly at the prior state; killed again, `recover --forward` at the planned one."""
    _big_items(crashed)
    _migration(crashed, "004_shelf_life.sql", _COPY_ALTER)
    before = snapshot(crashed.db)
    plan = _plan(crashed, "alter")
    stderr = _kill_server_during(crashed, plan, "ALTER TABLE items%")
    print(stderr)
    _lost_connection_reported(stderr)
    assert "ALTER TABLE items" in stderr
    recovered = crashed.cli("recover", "local")
    print(recovered.output)
    assert recovered.code == 0, recovered.output
    assert snapshot(crashed.db) == before

    stderr = _kill_server_during(crashed, plan, "ALTER TABLE items%")
    _lost_connection_reported(stderr)
    forward = crashed.cli("recover", "local", "--forward", plan)
    print(forward.output)
    assert forward.code == 0, forward.output
    _at_planned_state(crashed)


def _issue_state(project: Project) -> None:
    """What issue 23 found after the server's DDL crash recovery rolled the copy ALTER
    forward: the statement's columns and check are there, the three foreign keys are gone
    (made here by hand on the restarted server, as that recovery left it)."""
    project.db.execute(
        "SET foreign_key_checks = 0",
        "ALTER TABLE items ADD COLUMN shelf_life_days SMALLINT UNSIGNED NULL AFTER weight_kg, "
        "ADD CONSTRAINT chk_items_shelf_life CHECK (shelf_life_days < 10000)",
        "ALTER TABLE items DROP FOREIGN KEY fk_items_type, DROP FOREIGN KEY fk_items_uom, "
        "DROP FOREIGN KEY fk_items_currency",
    )


_LOST_KEYS = "items lost foreign keys fk_items_currency, fk_items_type, fk_items_uom"


def test_crash_left_items_without_foreign_keys_recover_rolls_back_exactly(
    crashed: Project,
) -> None:
    """The running ALTER "changed otherwise": recover names what differs (the three keys),
    what it runs to repair it, and ends exactly at the prior state (it used to undo the
    ALTER as if it had taken effect and stop with "does not match the plan's prior")."""
    _big_items(crashed, 60_000)
    _migration(crashed, "004_shelf_life.sql", _COPY_ALTER)
    before = snapshot(crashed.db)
    plan = _plan(crashed, "alter")
    _kill_server_during(crashed, plan, "ALTER TABLE items%")
    _issue_state(crashed)
    recovered = crashed.cli("recover", "local")
    print(recovered.output)
    assert recovered.code == 0, recovered.output
    assert "changed otherwise" in recovered.output
    assert _LOST_KEYS in recovered.stdout
    assert "the server's crash recovery" in recovered.stdout
    assert "repair (back to before the statement): ALTER TABLE `items`" in recovered.stdout
    assert snapshot(crashed.db) == before


def test_crash_left_items_without_foreign_keys_forward_finishes_exactly(
    crashed: Project,
) -> None:
    """The same state, finished with `recover --forward`: the keys are added back (named),
    the rest of the migration runs, and the plan counts as applied."""
    _big_items(crashed, 60_000)
    _migration(crashed, "004_shelf_life.sql", _COPY_ALTER)
    plan = _plan(crashed, "alter")
    _kill_server_during(crashed, plan, "ALTER TABLE items%")
    _issue_state(crashed)
    forward = crashed.cli("recover", "local", "--forward", plan)
    print(forward.output)
    assert forward.code == 0, forward.output
    assert _LOST_KEYS in forward.stdout
    assert "repair (to what the statement was to leave): ALTER TABLE `items`" in forward.stdout
    assert "ADD CONSTRAINT `fk_items_type` FOREIGN KEY" in forward.stdout
    _at_planned_state(crashed)
    keys = crashed.db.query(
        "SELECT CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS "
        "WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'items' ORDER BY 1"
    )
    assert [str(r[0]) for r in keys] == ["fk_items_currency", "fk_items_type", "fk_items_uom"]


def _interrupted_after_step(
    project: Project, plan: str, step: str, interrupt: Any, command: tuple[str, ...] = ()
) -> str:
    """Apply PLAN (or run `command`) paused after `step`, `interrupt()` there, let it go on
    (it finds the server or its connection gone); its stderr."""
    resume = project.root / f"resume-{step}"
    resume.unlink(missing_ok=True)
    proc = start_cli(
        *(command or ("apply", plan, "--auto-approve")),
        env={
            "MRPPLAN_TEST_PAUSE_AFTER_STEP": step,
            "MRPPLAN_TEST_RESUME_FILE": str(resume),
            "MRPPLAN_TEST_PAUSE_SECONDS": "600",
        },
        cwd=project.root,
    )
    try:
        wait_for(
            lambda: journal_status(project.db, step) == "done" or proc.poll() is not None,
            f"step {step} to finish",
        )
        assert proc.poll() is None, proc.communicate()
        interrupt()
        resume.touch()
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1, stderr
    return stderr


def _kill_server_after_step(project: Project, plan: str, step: str) -> str:
    """kill -9 mariadbd while the apply is paused after `step`, then restart it."""
    stderr = _interrupted_after_step(project, plan, step, project.server.kill)
    project.server.restart()
    return stderr


def _steps(project: Project, plan: str) -> list[dict[str, Any]]:
    return list(json.loads((project.root / plan).read_text())["steps"])


def _next(steps: list[dict[str, Any]], step: dict[str, Any]) -> str:
    """The step the apply was at when it found the server gone (the last one's own id)."""
    at = steps.index(step)
    return str(steps[min(at + 1, len(steps) - 1)]["id"])


def _drop_audit_log(project: Project) -> str:
    """A plan that drops audit_log (with rows) and creates a table after it."""
    project.db.execute(
        "INSERT INTO audit_log (table_name, record_id, action, changed_by) "
        "SELECT 'items', seq, 'update', 'crash-test' FROM seq_1_to_500"
    )
    schema = project.root / "database" / "schema" / "01_base_schema.sql"
    text = schema.read_text()
    start = text.index("CREATE TABLE audit_log (")
    end = text.index(";", start) + 1
    schema.write_text(
        text[:start] + "CREATE TABLE zz_after_drop (id INT PRIMARY KEY) ENGINE=InnoDB;" + text[end:]
    )
    return _plan(project, "drop")


def test_drop_table_server_killed_after_each_step(crashed: Project) -> None:
    """DROP TABLE (run as a rename to trash): the server is killed after each step in
    turn; each time recover ends exactly at the prior state, the rows of audit_log back."""
    plan = _drop_audit_log(crashed)
    before = snapshot(crashed.db)
    steps = _steps(crashed, plan)
    assert any(s["action"] == "drop_table" for s in steps), steps
    for step in steps:
        stderr = _kill_server_after_step(crashed, plan, step["id"])
        _lost_connection_reported(stderr, _next(steps, step))
        print(stderr)
        recovered = crashed.cli("recover", "local")
        assert recovered.code == 0, recovered.output
        assert snapshot(crashed.db) == before, f"killed after step {step['id']}"
    stderr = _kill_server_after_step(crashed, plan, steps[0]["id"])
    forward = crashed.cli("recover", "local", "--forward", plan)
    assert forward.code == 0, forward.output
    _at_planned_state(crashed)


def test_dropped_column_with_rows_server_killed(crashed: Project) -> None:
    """A migration drops items.notes (values copied to a trash table first): killed after
    each step, recover brings every value back; forward finishes the plan."""
    crashed.db.execute("UPDATE items SET notes = CONCAT('note ', id)")
    _migration(
        crashed,
        "004_drop_notes.sql",
        "-- mrpplan:up\nALTER TABLE items DROP COLUMN notes;\n"
        "CREATE TABLE zz_after_notes (id INT PRIMARY KEY) ENGINE=InnoDB;\n",
    )
    before = snapshot(crashed.db)
    plan = _plan(crashed, "notes")
    steps = _steps(crashed, plan)
    for step in steps:
        stderr = _kill_server_after_step(crashed, plan, step["id"])
        _lost_connection_reported(stderr, _next(steps, step))
        print(stderr)
        recovered = crashed.cli("recover", "local")
        assert recovered.code == 0, recovered.output
        assert snapshot(crashed.db) == before, f"killed after step {step['id']}"
    _kill_server_after_step(crashed, plan, steps[0]["id"])
    forward = crashed.cli("recover", "local", "--forward", plan)
    assert forward.code == 0, forward.output
    _at_planned_state(crashed)


def test_seed_load_server_killed_mid_transaction(crashed: Project) -> None:
    """A seed's rows are loaded in one transaction: the server dies in its long INSERT;
    after the restart recover ends at the prior state, --forward loads the seed."""
    schema = crashed.root / "database" / "schema" / "01_base_schema.sql"
    schema.write_text(schema.read_text() + "\nCREATE TABLE zz_seeded (id INT PRIMARY KEY);\n")
    assert crashed.cli("apply", "local", "--auto-approve").code == 0
    seed = crashed.root / "database" / "seeds" / "03_sample_orders.sql"
    seed.write_text(
        seed.read_text() + "\nINSERT INTO zz_seeded (id) SELECT seq FROM seq_1_to_300000;\n"
    )
    before = snapshot(crashed.db)
    plan = _plan(crashed, "seed")
    stderr = _kill_server_during(crashed, plan, "INSERT INTO zz_seeded%")
    _lost_connection_reported(stderr)
    recovered = crashed.cli("recover", "local")
    assert recovered.code == 0, recovered.output
    assert snapshot(crashed.db) == before
    _kill_server_during(crashed, plan, "INSERT INTO zz_seeded%")
    forward = crashed.cli("recover", "local", "--forward", plan)
    assert forward.code == 0, forward.output
    _at_planned_state(crashed)
    assert crashed.db.query("SELECT COUNT(*) FROM zz_seeded")[0][0] == 300_000


def test_forward_counts_as_applied_only_after_its_final_check(crashed: Project) -> None:
    """Someone changes a table while the server is down: `--forward` runs what is left,
    the final check fails, and the plan is NOT marked applied (it used to be); the
    rollback then names the table that differs instead of only pointing at drift."""
    plan = _drop_audit_log(crashed)
    steps = _steps(crashed, plan)
    _kill_server_after_step(crashed, plan, steps[0]["id"])
    crashed.db.execute("ALTER TABLE customers ADD COLUMN zz_someone INT NULL")
    forward = crashed.cli("recover", "local", "--forward", plan)
    print(forward.output)
    assert forward.code == 1, forward.output
    assert "does not match the plan's desired state" in forward.stderr
    assert "table customers was altered (no step of the plan changes it)" in forward.stderr
    assert _journal_header(crashed.db) == "started"
    again = crashed.cli("apply", plan, "--auto-approve")
    assert again.code == 3, again.output
    assert "recover" in again.stderr
    back = crashed.cli("recover", "local")
    print(back.output)
    assert back.code == 1, back.output
    assert "table customers was altered" in back.stderr


def test_clean_shutdown_during_an_apply(crashed: Project) -> None:
    """SHUTDOWN while the apply is between steps: the apply says the connection was lost
    at the next step; after the restart recover ends exactly at the prior state."""
    plan = _drop_audit_log(crashed)
    before = snapshot(crashed.db)
    steps = _steps(crashed, plan)

    def shutdown() -> None:
        with contextlib.suppress(Exception):
            crashed.db.execute("SHUTDOWN")
        crashed.server.wait_down()

    stderr = _interrupted_after_step(crashed, plan, steps[0]["id"], shutdown)
    print(stderr)
    _lost_connection_reported(stderr, steps[1]["id"])
    crashed.server.restart()
    recovered = crashed.cli("recover", "local")
    assert recovered.code == 0, recovered.output
    assert snapshot(crashed.db) == before


def test_kill_of_mrpplans_connection(crashed: Project) -> None:
    """A DBA's KILL of mrpplan's connection (the server stays up): reported as a lost
    connection naming the step, and recover ends exactly at the prior state."""
    plan = _drop_audit_log(crashed)
    before = snapshot(crashed.db)
    steps = _steps(crashed, plan)

    def kill_connection() -> None:
        holder = crashed.db.query(
            "SELECT connection_id FROM mrpplan_apply_journal WHERE step_id = 'plan' "
            "ORDER BY id DESC LIMIT 1"
        )[0][0]
        crashed.db.execute(f"KILL CONNECTION {int(str(holder))}")

    stderr = _interrupted_after_step(crashed, plan, steps[0]["id"], kill_connection)
    print(stderr)
    _lost_connection_reported(stderr, steps[1]["id"])
    recovered = crashed.cli("recover", "local")
    assert recovered.code == 0, recovered.output
    assert snapshot(crashed.db) == before


def test_restore_swap_server_killed_after_each_step(crashed: Project) -> None:
    """A restore (shadow database, load, one RENAME swap): the server is killed after each
    step in turn; recover ends exactly at the prior state each time (the rows changed
    since the backup stay), and --forward finishes the restore."""
    backup = crashed.cli("backup", "local")
    assert backup.code == 0, backup.output
    [path] = sorted((crashed.root / "database" / "backups").glob("mrp_erp_full_local_*.sql.gz"))
    crashed.db.execute("UPDATE customers SET name = CONCAT(name, ' (changed)')")
    before = snapshot(crashed.db)
    made = crashed.cli("restore", "local", str(path), "--out", "plans/restore.json")
    assert made.code == 0, made.output
    plan = "plans/restore.json"
    steps = _steps(crashed, plan)
    actions = [s["action"] for s in steps]
    assert "swap_tables" in actions, steps
    # the moments that matter: rows loaded into the shadow database, tables swapped
    for step in [s for s in steps if s["action"] in ("shadow_load", "swap_tables")]:
        stderr = _kill_server_after_step(crashed, plan, step["id"])
        _lost_connection_reported(stderr, _next(steps, step))
        recovered = crashed.cli("recover", "local")
        assert recovered.code == 0, recovered.output
        assert snapshot(crashed.db) == before, f"killed after step {step['id']}"
    _kill_server_after_step(crashed, plan, steps[-1]["id"])
    forward = crashed.cli("recover", "local", "--forward", plan)
    assert forward.code == 0, forward.output
    assert "(changed)" not in str(crashed.db.query("SELECT GROUP_CONCAT(name) FROM customers"))


def test_sync_swap_server_killed_after_each_step(
    crashed: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sync pull dev --to local` (shadow database, masked load, RENAME swap): the server
    is killed after the load and after the swap; recover ends exactly at local's prior
    state each time, and no copied (unmasked) rows stay in a scratch database."""
    dev = make_database(crashed.server.info, "crashdev")
    try:
        monkeypatch.setenv("DEV_DB_NAME", dev.name)
        monkeypatch.setenv("DEV_DB_OPTION_FILE", str(crashed.server.info.option_file))
        built = crashed.cli("apply", "dev", "--auto-approve")
        assert built.code == 0, built.output
        shutil.copy(REPO / "environments" / "local.yaml", crashed.root / "environments")
        crashed.db.execute("UPDATE customers SET name = CONCAT(name, ' (mine)')")
        before = snapshot(crashed.db)
        pull = ("sync", "pull", "dev", "--to", "local", "--force")
        for step in ("2", "3"):  # shadow_load, swap_tables
            stderr = _interrupted_after_step(crashed, "", step, crashed.server.kill, command=pull)
            crashed.server.restart()
            _lost_connection_reported(stderr)
            recovered = crashed.cli("recover", "local")
            assert recovered.code == 0, recovered.output
            assert snapshot(crashed.db) == before, f"killed after step {step}"
            left = crashed.db.query(f"SHOW DATABASES LIKE '\\_mrpplan\\_load\\_%{crashed.db.name}'")
            assert left == [], left
    finally:
        if sandbox.status(crashed.server.base) is None:
            crashed.server.restart()
        drop_database(crashed.server.info, dev.name)
