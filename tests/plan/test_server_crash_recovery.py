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
from plan_test_support import snapshot, wait_for, without_sync

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
    assert "connection to the database server was lost during step" in stderr, stderr
    if step is not None:
        assert f"during step {step} of" in stderr, stderr
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


def _big_items(project: Project, rows: int = 150_000) -> None:
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
