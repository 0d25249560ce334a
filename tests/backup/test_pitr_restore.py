"""`restore ENV --to-time`: back to the second before a bad statement (DESIGN §3.13)."""

from __future__ import annotations

from typing import Any

from backup_support import checksums
from pitr_support import bad_update_scenario


def test_restore_to_the_second_before_the_bad_update(project: Any, cli: Any) -> None:
    db = project.databases["local"]
    scene = bad_update_scenario(db, cli)
    assert checksums(db) != scene.good
    dry = cli("restore", "local", "--to-time", scene.moment, "--dry-run")
    assert dry.code == 0, dry.output
    assert "mrp_erp_full_local_" in dry.stdout and "mariadb-bin." in dry.stdout
    assert "binlog_replay" in dry.stdout
    done = cli("restore", "local", "--to-time", scene.moment, "--force")
    assert done.code == 0, done.output
    assert checksums(db) == scene.good
    assert db.query("SELECT COUNT(*) FROM items WHERE price = 0") == [(0,)]
