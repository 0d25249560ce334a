"""Issue 11, restore and sync: data is replaced through shadow tables and one RENAME TABLE,
under the one lock and approval rule, and environments settle after `apply`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from dbtools import wait_for
from sync_fixtures import DATA_TABLES, checksums, fill_erp

from mrpplan.mysql.lock import lock_name


def _backup(project, cli, env: str, *flags: str) -> Path:  # type: ignore[no-untyped-def]
    done = cli("backup", env, *flags)
    assert done.code == 0, done.output
    return max((project.root / "database" / "backups").glob("*.sql.gz"), key=os.path.getmtime)


def _hold_lock(db):  # type: ignore[no-untyped-def]
    conn = db.connect()
    with conn.cursor() as cur:
        cur.execute("SELECT GET_LOCK(%s, 0)", (lock_name(db.name),))
        assert cur.fetchone()[0] == 1
    return conn


def _emails(db) -> set[str]:  # type: ignore[no-untyped-def]
    return {str(r[0]) for r in db.query("SELECT email FROM customers WHERE email IS NOT NULL")}


def _databases(db, prefix: str) -> list[str]:  # type: ignore[no-untyped-def]
    pattern = prefix.replace("_", "\\_") + "%" + db.name
    return [str(r[0]) for r in db.query("SHOW DATABASES LIKE %s", (pattern,))]


def test_data_only_backup_after_an_added_column_is_refused_before_any_change(project, cli) -> None:  # type: ignore[no-untyped-def]
    dev = project.databases["dev"]
    fill_erp(dev)
    path = _backup(project, cli, "dev", "--data-only")
    dev.execute("ALTER TABLE customers ADD COLUMN loyalty INT NOT NULL DEFAULT 0")
    before = checksums(dev, DATA_TABLES)
    dry = cli("restore", "dev", str(path), "--dry-run")
    assert dry.code == 3, dry.output
    assert "no longer fit the live columns" in dry.stderr and "customers" in dry.stderr
    assert "matches live" not in dry.stdout
    done = cli("restore", "dev", str(path), "--force")
    assert done.code == 3, done.output
    assert "customers (5 columns in the backup, 6 live)" in done.stderr
    assert checksums(dev, DATA_TABLES) == before
    assert "Traceback" not in done.stderr


def test_restore_into_protected_prod_without_a_terminal_is_refused(
    project, cli, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MRPPLAN_PLAN_KEY", "test-plan-key")
    prod, dev = project.databases["prod"], project.databases["dev"]
    fill_erp(dev)
    path = _backup(project, cli, "dev")
    prod.execute("CREATE TABLE keep (id INT PRIMARY KEY)", "INSERT INTO keep VALUES (7)")
    # a full restore is whole: `keep` (not in the backup) goes to the trash, approved
    # explicitly on prod (allow_destructive: false)
    done = cli("restore", "prod", str(path), "--force", "--allow-destructive")
    assert done.code == 3, done.output
    assert "protected" in done.stderr and "Nothing was changed" in done.stderr
    assert [r[0] for r in prod.query("SHOW TABLES")] == ["keep"]
    # the way without a terminal: a saved, reviewed restore plan, applied from the file
    plan = project.root / "plans" / "restore.json"
    saved = cli("restore", "prod", str(path), "--allow-destructive", "--out", str(plan))
    assert saved.code == 0, saved.output
    assert [r[0] for r in prod.query("SHOW TABLES")] == ["keep"]
    applied = cli("apply", str(plan), "--auto-approve")
    assert applied.code == 0, applied.output
    assert checksums(prod, DATA_TABLES) == checksums(dev, DATA_TABLES)
    assert not prod.query("SHOW TABLES LIKE 'keep'")
    [trash] = _databases(prod, "_mrpplan_trash_")
    assert prod.query(f"SELECT id FROM `{trash}`.keep") == [(7,)]  # moved, not dropped


def test_a_held_apply_lock_refuses_restore_and_sync(project, cli) -> None:  # type: ignore[no-untyped-def]
    dev, local = project.databases["dev"], project.databases["local"]
    fill_erp(dev)
    fill_erp(local)
    local.execute("UPDATE customers SET name = 'local'")
    path = _backup(project, cli, "dev")
    before = checksums(local, DATA_TABLES)
    holder = _hold_lock(local)
    try:
        restored = cli("restore", "local", str(path), "--force")
        pulled = cli("sync", "pull", "dev", "--to", "local", "--force")
        cloned = cli("sync", "clone", "dev", "local", "--force")
    finally:
        holder.close()
    for done in (restored, pulled, cloned):
        assert done.code == 3, done.output
        assert "Nothing was changed" in done.stderr
    assert checksums(local, DATA_TABLES) == before
    assert not _databases(local, "_mrpplan_load_")


def test_restore_swaps_tables_in_and_keeps_the_old_ones_as_trash(project, cli) -> None:  # type: ignore[no-untyped-def]
    dev = project.databases["dev"]
    fill_erp(dev)
    path = _backup(project, cli, "dev")
    wanted = checksums(dev, DATA_TABLES)
    dev.execute("SET foreign_key_checks = 0", "DELETE FROM orders", "UPDATE customers SET name='x'")
    done = cli("restore", "dev", str(path))  # unprotected, no terminal: nothing is lost
    assert done.code == 0, done.output
    assert "swap_tables" in done.stdout
    assert checksums(dev, DATA_TABLES) == wanted
    [trash] = _databases(dev, "_mrpplan_trash_")
    assert dev.query(f"SELECT COUNT(*) FROM `{trash}`.orders") == [(0,)]
    assert not _databases(dev, "_mrpplan_load_")
    # the purge plan finds the trash database and purges it once it is old enough
    from datetime import UTC, datetime, timedelta

    from mrpplan.config import Project, load_environment
    from mrpplan.restore.purge_plan import purge_plan
    from mrpplan.wiring import wiring

    env = load_environment(Project(project.root), "dev")
    root = Project(project.root)
    assert trash not in [s.object for s in purge_plan(root, env, 7, wiring=wiring()).steps]
    later = purge_plan(root, env, 7, datetime.now(UTC) + timedelta(days=8), wiring=wiring())
    assert [s.action for s in later.steps if s.object == trash] == ["drop_database"]
    purged = cli("backup", "--cleanup", "dev", "--retention-days", "0", "--force")
    assert purged.code == 0, purged.output
    assert not _databases(dev, "_mrpplan_trash_")


def _start(project, *args: str, env: dict[str, str]) -> subprocess.Popen[str]:  # type: ignore[no-untyped-def]
    merged = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **env}
    return subprocess.Popen(
        [sys.executable, "-m", "mrpplan", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=merged,
        cwd=project.root,
    )


def _step_done(db, step: str) -> bool:  # type: ignore[no-untyped-def]
    if not db.query("SHOW TABLES LIKE 'mrpplan_apply_journal'"):
        return False
    return bool(
        db.query(
            "SELECT 1 FROM mrpplan_apply_journal WHERE step_id = %s AND status = 'done'", (step,)
        )
    )


class _Watcher(threading.Thread):
    """Polls the target from another connection while a copy runs: source e-mails seen?"""

    def __init__(self, db, secrets: set[str]) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.db, self.secrets, self.leaked, self.polls = db, secrets, set(), 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.leaked |= _emails(self.db) & self.secrets
            self.polls += 1


def test_sync_pull_killed_then_recover_brings_back_the_prior_state(project, cli) -> None:  # type: ignore[no-untyped-def]
    dev, local = project.databases["dev"], project.databases["local"]
    fill_erp(dev)
    fill_erp(local)
    local.execute("UPDATE customers SET email = CONCAT('local', id, '@mine.example')")
    before = checksums(local, DATA_TABLES)
    secrets = _emails(dev)
    watcher = _Watcher(local, secrets)
    watcher.start()
    proc = _start(
        project,
        "sync",
        "pull",
        "dev",
        "--to",
        "local",
        "--force",
        env={"MRPPLAN_TEST_PAUSE_AFTER_STEP": "2", "MRPPLAN_TEST_PAUSE_SECONDS": "600"},
    )
    try:
        wait_for(lambda: _step_done(local, "2"), "the shadow load to finish")
    finally:
        proc.kill()  # SIGKILL: no cleanup code runs
        proc.wait()
    assert checksums(local, DATA_TABLES) == before  # loaded, masked, never swapped in
    assert _databases(local, "_mrpplan_load_")
    drift = cli("drift", "local")
    assert drift.code == 2 and "No drift" not in drift.stdout
    assert "recover" in drift.stdout
    recovered = cli("recover", "local")
    assert recovered.code == 0, recovered.output
    assert checksums(local, DATA_TABLES) == before
    assert not _databases(local, "_mrpplan_load_")

    done = cli("sync", "pull", "dev", "--to", "local", "--force")
    watcher.stop.set()
    watcher.join()
    assert done.code == 0, done.output
    assert watcher.polls > 0 and not watcher.leaked
    assert not _emails(local) & secrets
    assert local.query("SELECT COUNT(*) FROM customers")[0][0] == len(secrets)


def test_killed_after_the_swap_then_recover_renames_back(project, cli) -> None:  # type: ignore[no-untyped-def]
    dev, local = project.databases["dev"], project.databases["local"]
    fill_erp(dev)
    fill_erp(local)
    local.execute("UPDATE customers SET name = 'mine'")
    before = checksums(local, DATA_TABLES)
    proc = _start(
        project,
        "sync",
        "pull",
        "dev",
        "--to",
        "local",
        "--force",
        env={"MRPPLAN_TEST_PAUSE_AFTER_STEP": "3", "MRPPLAN_TEST_PAUSE_SECONDS": "600"},
    )
    try:
        wait_for(lambda: _step_done(local, "3"), "the swap")
    finally:
        proc.kill()
        proc.wait()
    assert checksums(local, DATA_TABLES) != before
    recovered = cli("recover", "local")
    assert recovered.code == 0, recovered.output
    assert checksums(local, DATA_TABLES) == before
    assert not _databases(local, "_mrpplan_trash_")


def test_every_example_environment_settles_after_apply(project, cli) -> None:  # type: ignore[no-untyped-def]
    outputs = {}
    for env in ("dev", "local", "prod", "staging"):
        extra = {"MRPPLAN_PLAN_KEY": "k"} if env in ("prod", "staging") else {}
        plan = project.root / "plans" / f"{env}.json"
        made = cli("plan", env, "--out", str(plan), env=extra)
        assert made.code == 0, made.output
        outputs[env] = made.output
        applied = cli("apply", str(plan), "--auto-approve", env=extra)
        assert applied.code == 0, applied.output
        again = cli("plan", env, "--detailed-exitcode", env=extra)
        assert again.code == 0, again.output
    # local's seeds write tables the sync from dev copies: the plan says once who owns them
    assert outputs["local"].count("not run on local") == 1, outputs["local"]
    assert "swap_tables" in outputs["local"] and "swap_tables" in outputs["staging"]


def test_clone_with_an_excluded_table_keeps_its_schema(project, cli) -> None:  # type: ignore[no-untyped-def]
    dev, staging = project.databases["dev"], project.databases["staging"]
    assert cli("apply", "dev", "--auto-approve").code == 0
    dev.execute(
        "INSERT INTO audit_log (table_name, record_id, action, changed_by)"
        " VALUES ('x', 1, 'insert', 'me')"
    )
    done = cli("sync", "clone", "dev", "staging", "--force")
    assert done.code == 0, done.output
    assert staging.query("SELECT COUNT(*) FROM audit_log") == [(0,)]
    drift = cli("drift", "staging")
    assert drift.code == 0, drift.output
