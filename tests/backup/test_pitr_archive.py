"""`backup ENV --binlogs`: incremental, locked, never counts a torn file (DESIGN §3.13)."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from backup_support import seed
from dbtools import start_cli
from pitr_support import flush_binary_logs, pitr_turn, server  # noqa: F401 (their own server, in turns)

from mrpplan import sandbox


def _folder(project: Any) -> Path:
    return project.root / "database" / "backups" / "binlogs" / "local"


def _archived(project: Any) -> dict[str, dict[str, Any]]:
    folder = _folder(project)
    return {
        p.name.removesuffix(".manifest.json"): json.loads(p.read_text())
        for p in folder.glob("*.manifest.json")
    }


def _server_logs(db: Any) -> dict[str, int]:
    return {str(name): int(size) for name, size, *_ in db.query("SHOW BINARY LOGS")}


def test_archive_is_incremental_private_and_matches_the_server(
    project: Any,
    cli: Any,
    server: sandbox.SandboxInfo,  # noqa: F811 (the PITR server)
) -> None:
    db = project.databases["local"]
    seed(db)
    flush_binary_logs(db)
    first = cli("backup", "local", "--binlogs")
    assert first.code == 0, first.output
    assert "copied" in first.stdout
    archived = _archived(project)
    server_logs = _server_logs(db)
    assert set(archived) == set(server_logs)
    folder = _folder(project)
    assert folder.stat().st_mode & 0o777 == 0o700
    for name, manifest in archived.items():
        path = folder / name
        assert path.stat().st_mode & 0o777 == 0o600
        assert hashlib.sha256(path.read_bytes()).hexdigest() == manifest["sha256"]
        assert manifest["size"] == path.stat().st_size
        if manifest["complete"]:  # a closed log is byte for byte the server's
            assert manifest["size"] == server_logs[name]
    *_closed, active = sorted(server_logs, key=lambda n: int(n.rsplit(".", 1)[1]))
    assert not archived[active]["complete"]
    busy = [m for m in archived.values() if m["transactions"]]
    assert all(m["first_time"] <= m["last_time"] and m["gtid_first"] for m in busy)
    # a second run copies nothing that is complete; new writes refresh the active log
    again = cli("backup", "local", "--binlogs")
    assert again.code == 0 and "nothing new" in again.stdout, again.output
    db.execute("UPDATE items SET price = price + 1")
    third = cli("backup", "local", "--binlogs")
    assert third.code == 0 and f"copied {active}" in third.stdout, third.output
    assert "--binlogs" not in (server.password or "")


def test_two_runs_at_once_take_turns(project: Any, cli: Any) -> None:
    db = project.databases["local"]
    seed(db)
    procs = [start_cli("backup", "local", "--binlogs", env={}, cwd=project.root) for _ in range(2)]
    results = [p.communicate(timeout=120) for p in procs]
    codes = sorted(p.returncode for p in procs)
    # one copies; the other copies too (after it) or is refused, saying why (exit 3)
    assert codes in ([0, 0], [0, 3]), results
    if codes == [0, 3]:
        refused = next(r for p, r in zip(procs, results, strict=True) if p.returncode == 3)
        assert "another `backup --binlogs`" in refused[1]
    assert cli("backup", "local", "--binlogs").code == 0
    archived = _archived(project)
    for name, manifest in archived.items():
        data = (_folder(project) / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == manifest["sha256"]


def test_kill_mid_copy_counts_no_torn_file(project: Any, cli: Any) -> None:
    db = project.databases["local"]
    flush_binary_logs(db)
    db.execute("CREATE TABLE big (id INT PRIMARY KEY AUTO_INCREMENT, pad TEXT)")
    for _ in range(6):  # about 12 MB of row events in the active log
        db.execute("INSERT INTO big (pad) SELECT REPEAT('x', 2000) FROM seq_1_to_1000")
    flush_binary_logs(db)
    killed = False
    for delay in (0.5, 0.3, 0.2, 0.1, 0.05, 0.8, 1.2):
        proc = start_cli("backup", "local", "--binlogs", env={}, cwd=project.root)
        time.sleep(delay)
        if proc.poll() is None:
            proc.kill()  # SIGKILL: no cleanup runs (its mariadb-binlog dies with it)
            killed = True
        proc.wait()
        for name, manifest in _archived(project).items():  # whatever counts is whole
            data = (_folder(project) / name).read_bytes()
            assert hashlib.sha256(data).hexdigest() == manifest["sha256"], name
        if killed:
            break
    done = cli("backup", "local", "--binlogs")
    assert done.code == 0, done.output
    archived = _archived(project)
    server_logs = _server_logs(db)
    for name, size in server_logs.items():
        if archived[name]["complete"]:
            assert archived[name]["size"] == size
    assert any(m["size"] > 10_000_000 for m in archived.values())


def test_refuses_without_row_logging_and_says_how(project: Any, cli: Any) -> None:
    db = project.databases["local"]
    db.execute("SET GLOBAL binlog_format = 'STATEMENT'")
    try:
        done = cli("backup", "local", "--binlogs")
    finally:
        db.execute("SET GLOBAL binlog_format = 'ROW'")
    assert done.code == 1, done.output
    assert "STATEMENT format, not ROW" in done.stderr
    assert "binlog_format=ROW" in done.stderr and "Traceback" not in done.output
    assert not _archived(project)


def test_retention_keeps_the_logs_of_the_oldest_full_backup(project: Any, cli: Any) -> None:
    db = project.databases["local"]
    seed(db)
    flush_binary_logs(db)
    assert cli("backup", "local", "--binlogs").code == 0
    older = set(_archived(project))
    assert cli("backup", "local").code == 0
    folder = project.root / "database" / "backups"
    [manifest] = folder.glob("mrp_erp_full_local_*.manifest.json")
    needed = json.loads(manifest.read_text())["binlog"]["file"]
    flush_binary_logs(db)
    done = cli("backup", "local", "--binlogs")
    assert done.code == 0 and "pruned" in done.stdout, done.output
    kept = set(_archived(project))
    number = int(needed.rsplit(".", 1)[1])
    assert needed in kept
    assert all(int(n.rsplit(".", 1)[1]) >= number for n in kept)
    assert older - kept  # the logs before the backup's went
    assert not any((_folder(project) / n).exists() for n in older - kept)


def test_sandbox_without_binary_log_is_restarted_with_it(tmp_path: Path) -> None:
    base = tmp_path / "sbx"
    try:
        old = sandbox.up(base, extra_args=["--skip-log-bin"])  # as an older mrpplan ran it
        assert not sandbox.logs_binlog(old)
        new = sandbox.up(base)
        assert sandbox.logs_binlog(new) and new.port == old.port
        assert sandbox.restarted_for_binlog(base)
    finally:
        sandbox.down(base)


def test_cleanup_prunes_the_logs_of_deleted_backups(project: Any, cli: Any) -> None:
    db = project.databases["local"]
    seed(db)
    assert cli("backup", "local").code == 0
    flush_binary_logs(db)
    time.sleep(1.1)  # a second backup with a later name
    assert cli("backup", "local").code == 0
    folder = project.root / "database" / "backups"
    newest = max(folder.glob("mrp_erp_full_local_*.manifest.json"))
    needed = json.loads(newest.read_text())["binlog"]["file"]
    assert cli("backup", "local", "--binlogs").code == 0
    before = set(_archived(project))
    assert any(int(n.rsplit(".", 1)[1]) < int(needed.rsplit(".", 1)[1]) for n in before)
    dry = cli("backup", "--cleanup", "local", "--retention-days", "0", "--dry-run")
    assert dry.code == 0 and "would delete: binary log" in dry.stdout, dry.output
    assert set(_archived(project)) == before
    done = cli("backup", "--cleanup", "local", "--retention-days", "0", "--force")
    assert done.code == 0, done.output
    kept = set(_archived(project))
    assert needed in kept
    assert all(int(n.rsplit(".", 1)[1]) >= int(needed.rsplit(".", 1)[1]) for n in kept)
