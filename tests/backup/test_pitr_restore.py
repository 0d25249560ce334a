"""`restore ENV --to-time`: back to the second before a bad statement (DESIGN §3.13)."""

from __future__ import annotations

from typing import Any

from backup_support import checksums, seed
from pitr_support import (  # noqa: F401 (their own server, in turns)
    bad_update_scenario,
    flush_binary_logs,
    moment,
    next_second,
    pitr_turn,
    server,
)


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


def test_dry_run_names_the_backup_logs_and_events(project: Any, cli: Any) -> None:
    db = project.databases["local"]
    scene = bad_update_scenario(db, cli)
    before = checksums(db)
    dry = cli("restore", "local", "--to-time", scene.moment, "--dry-run")
    assert dry.code == 0, dry.output
    assert "3 transaction(s)" in dry.stdout  # INSERT, UPDATE, DELETE before the moment
    assert "Dry run: nothing was changed." in dry.stdout
    assert checksums(db) == before


def test_tables_restores_one_table_and_keeps_the_others(project: Any, cli: Any) -> None:
    db = project.databases["local"]
    scene = bad_update_scenario(db, cli)
    now = checksums(db)
    done = cli("restore", "local", "--to-time", scene.moment, "--tables", "items", "--force")
    assert done.code == 0, done.output
    assert "fk_stock_item" in done.output  # stock keeps pointing at items: warned
    after = checksums(db)
    assert after["items"] == scene.good["items"] != now["items"]
    assert {t: v for t, v in after.items() if t != "items"} == {
        t: v for t, v in now.items() if t != "items"
    }
    assert db.query("SELECT COUNT(*) FROM warehouses WHERE id = 3") == [(1,)]


def test_a_missing_log_is_refused_with_the_window(project: Any, cli: Any) -> None:
    # logs: X (the backup, write A), Y (write B), Z (the accident); Y goes missing
    db = project.databases["local"]
    seed(db)
    assert cli("backup", "local").code == 0
    next_second()
    db.execute("UPDATE items SET price = 1 WHERE id = 1")
    next_second()
    flush_binary_logs(db)
    db.execute("UPDATE items SET price = 2 WHERE id = 2")
    flush_binary_logs(db)
    bad = next_second()
    db.execute("UPDATE items SET price = 0")
    assert cli("backup", "local", "--binlogs").code == 0
    folder = project.root / "database" / "backups" / "binlogs" / "local"
    logs = sorted(p for p in folder.iterdir() if p.name[-6:].isdigit())
    middle = logs[-2]
    middle.rename(folder / "moved-away")
    before = checksums(db)
    done = cli("restore", "local", "--to-time", moment(bad - 1), "--force")
    assert done.code == 3, done.output
    assert f"cannot be restored to {moment(bad - 1)}" in done.stderr
    assert "restorable to any second from" in done.stderr
    assert f"{middle.name}: the file is missing" in done.stderr, done.stderr
    assert checksums(db) == before
    listed = cli("backup", "--list", "local")
    assert "GAP" in listed.stdout and middle.name in listed.stdout
    # a file that is there but altered is a gap too
    middle.with_name("moved-away").rename(middle)
    with middle.open("r+b") as handle:
        handle.seek(200)
        handle.write(b"X")
    done = cli("restore", "local", "--to-time", moment(bad - 1), "--force")
    assert done.code == 3 and f"{middle.name}: sha256 differs" in done.stderr


def test_the_replay_spans_several_log_files(project: Any, cli: Any) -> None:
    # the backup's position is in one file, the moment two files later: the start
    # position applies to the first file only, the stop position to the last only
    db = project.databases["local"]
    seed(db)
    assert cli("backup", "local").code == 0
    db.execute("UPDATE items SET price = 11 WHERE id = 11")
    flush_binary_logs(db)
    db.execute("UPDATE items SET price = 12 WHERE id = 12")
    flush_binary_logs(db)
    db.execute("DELETE FROM stock_audit WHERE id = 1")
    next_second()
    good = checksums(db)
    bad = next_second()
    db.execute("UPDATE items SET price = 0")
    assert cli("backup", "local", "--binlogs").code == 0
    dry = cli("restore", "local", "--to-time", moment(bad - 1), "--dry-run")
    assert dry.code == 0 and dry.stdout.count("mariadb-bin.") >= 3, dry.output
    done = cli("restore", "local", "--to-time", moment(bad - 1), "--force")
    assert done.code == 0, done.output
    assert checksums(db) == good


def test_a_schema_change_in_the_stretch_is_refused_naming_it(project: Any, cli: Any) -> None:
    # row changes are rewritten to the scratch database; a statement is not: refused
    db = project.databases["local"]
    seed(db)
    assert cli("backup", "local").code == 0
    db.execute("ALTER TABLE warehouses ADD COLUMN region VARCHAR(20)")
    db.execute("UPDATE items SET price = 4 WHERE id = 4")
    bad = next_second()
    db.execute("UPDATE items SET price = 0")
    assert cli("backup", "local", "--binlogs").code == 0
    before = checksums(db)
    done = cli("restore", "local", "--to-time", moment(bad - 1), "--force")
    assert done.code == 3, done.output
    assert "schema change" in done.stderr and "ALTER TABLE warehouses" in done.stderr
    assert "take a full backup after it" in done.stderr
    assert checksums(db) == before
    # a full backup after the change makes the moment restorable
    assert cli("backup", "local").code == 0
    next_second()
    db.execute("UPDATE items SET price = 5 WHERE id = 5")
    good = checksums(db)
    bad = next_second()
    db.execute("UPDATE items SET price = 0")
    assert cli("backup", "local", "--binlogs").code == 0
    done = cli("restore", "local", "--to-time", moment(bad - 1), "--force")
    assert done.code == 0, done.output
    assert checksums(db) == good
