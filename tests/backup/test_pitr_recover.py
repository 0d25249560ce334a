"""A point-in-time restore killed at any step is undone exactly by `recover`."""

from __future__ import annotations

from typing import Any

from backup_support import checksums
from dbtools import start_cli, wait_for
from pitr_support import bad_update_scenario, pitr_turn, server  # noqa: F401 (their own server, in turns)

from mrpplan.mysql.journal import JOURNAL


def _done_since(db: Any, last_id: int, step: str) -> bool:
    return _journal_exists(db) and bool(
        db.query(
            f"SELECT 1 FROM {JOURNAL} WHERE id > %s AND step_id = %s AND status = 'done'",
            (last_id, step),
        )
    )


def _journal_exists(db: Any) -> bool:
    return bool(
        db.query(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            (db.name, JOURNAL),
        )
    )


def _last_journal_id(db: Any) -> int:
    if not _journal_exists(db):
        return 0
    return int(db.query(f"SELECT COALESCE(MAX(id), 0) FROM {JOURNAL}")[0][0])


def test_killed_restore_to_time_is_recovered_exactly(project: Any, cli: Any) -> None:
    db = project.databases["local"]
    scene = bad_update_scenario(db, cli)
    before = checksums(db)
    # steps: 1 scratch database, 2 load, 3 replay, 4 swap, 5 journal row
    for step in ("3", "4"):
        last_id = _last_journal_id(db)
        proc = start_cli(
            "restore",
            "local",
            "--to-time",
            scene.moment,
            "--force",
            env={"MRPPLAN_TEST_PAUSE_AFTER_STEP": step, "MRPPLAN_TEST_PAUSE_SECONDS": "600"},
            cwd=project.root,
        )
        try:
            wait_for(
                lambda p=proc, n=last_id, s=step: _done_since(db, n, s) or p.poll() is not None,
                f"step {step} of the restore",
            )
            assert proc.poll() is None, proc.communicate()
        finally:
            proc.kill()  # SIGKILL: no cleanup code runs
            proc.wait()
        if step == "4":
            assert checksums(db) == scene.good  # killed after the swap: it took effect
        recovered = cli("recover", "local")
        assert recovered.code == 0, recovered.output
        assert checksums(db) == before
        leftovers = db.query("SHOW DATABASES LIKE %s", (f"\\_mrpplan\\_load\\_%{db.name}",))
        assert leftovers == []
    done = cli("restore", "local", "--to-time", scene.moment, "--force")
    assert done.code == 0, done.output
    assert checksums(db) == scene.good
