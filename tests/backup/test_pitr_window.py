"""The recovery window in `status` and `backup --list`; --to-gtid; a saved plan; --follow."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any

from backup_support import checksums, seed
from dbtools import start_cli
from pitr_support import bad_update_scenario, moment, next_second, pitr_turn, server  # noqa: F401 (their own server, in turns)


def test_status_and_list_show_the_window(project: Any, cli: Any) -> None:
    db = project.databases["local"]
    seed(db)
    assert cli("backup", "local").code == 0
    backed_up = int(time.time())
    next_second()
    db.execute("UPDATE items SET price = 3 WHERE id = 3")
    next_second()
    assert cli("backup", "local", "--binlogs").code == 0
    status = cli("status", "local")
    assert "restorable to any second from" in status.stdout, status.output
    assert moment(backed_up) in status.stdout or moment(backed_up - 1) in status.stdout
    listed = cli("backup", "--list", "local")
    assert "local: restorable to any second from" in listed.stdout
    as_json = cli("status", "local", "--json")
    [row] = json.loads(as_json.stdout)
    assert row["recovery"].startswith("restorable to any second from")


def test_to_gtid_stops_after_that_transaction(project: Any, cli: Any) -> None:
    db = project.databases["local"]
    seed(db)
    assert cli("backup", "local").code == 0
    db.execute("UPDATE items SET price = 5 WHERE id = 5")
    good = checksums(db)
    [(gtid,)] = db.query("SELECT @@gtid_binlog_pos")
    db.execute("UPDATE items SET price = 0")
    next_second()
    assert cli("backup", "local", "--binlogs").code == 0
    done = cli("restore", "local", "--to-gtid", str(gtid), "--force")
    assert done.code == 0, done.output
    assert checksums(db) == good


def test_a_saved_plan_is_checked_and_applied(project: Any, cli: Any) -> None:
    db = project.databases["local"]
    scene = bad_update_scenario(db, cli)
    made = cli("restore", "local", "--to-time", scene.moment, "--out", "plans/pitr.json")
    assert made.code == 0, made.output
    plan = json.loads((project.root / "plans" / "pitr.json").read_text())
    assert plan["origin"]["builder"] == "restore_pitr"
    assert [s["action"] for s in plan["steps"]][:4] == [
        "shadow_prepare",
        "shadow_load",
        "binlog_replay",
        "swap_tables",
    ]
    # cron archives again before the plan is applied: the plan's stretch of log is unchanged
    db.execute("INSERT INTO warehouses VALUES (4, 'WH04', 'later still')")
    assert cli("backup", "local", "--binlogs").code == 0
    done = cli("apply", "plans/pitr.json", "--auto-approve")
    assert done.code == 0, done.output
    assert checksums(db) == scene.good


def test_follow_keeps_archiving_until_stopped(project: Any, cli: Any) -> None:
    db = project.databases["local"]
    seed(db)
    folder = project.root / "database" / "backups" / "binlogs" / "local"
    proc = start_cli("backup", "local", "--binlogs", "--follow", env={}, cwd=project.root)
    try:
        deadline = time.monotonic() + 60
        while not list(folder.glob("*.manifest.json")) and time.monotonic() < deadline:
            time.sleep(0.2)
        sizes = _sizes(folder)
        db.execute("UPDATE items SET price = price * 2")
        while _sizes(folder) == sizes and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _sizes(folder) != sizes  # the new events were copied without another run
        busy = cli("backup", "local", "--binlogs")
        assert busy.code == 3 and "another `backup --binlogs`" in busy.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "restorable" in out or "no full backup" in out


def _sizes(folder: Path) -> dict[str, int]:
    return {
        p.name: json.loads(p.read_text())["size"] for p in sorted(folder.glob("*.manifest.json"))
    }
