"""A backup dumped by several workers is one file that `gunzip | mariadb` restores exactly,
and every worker (and the manifest's checksums) saw the same point in time."""

from __future__ import annotations

import contextlib
import dataclasses
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from backup_support import checksums, drop_login, environment, objects, seed

from mrpplan.backup.dump import create_backup
from mrpplan.backup.verify import verify_backup
from mrpplan.config.settings import ConnectionSettings
from mrpplan.mysql.client_process import client_credentials


def _gunzip_into(path: Path, settings: ConnectionSettings, database: str) -> None:
    """The stock way: gunzip -c FILE | mariadb DB."""
    with client_credentials(settings) as cnf:
        subprocess.run(
            ["bash", "-o", "pipefail", "-c", f"gunzip -c {path} | mariadb {cnf.option} {database}"],
            check=True,
            pass_fds=(cnf.fd,),
        )


def test_parallel_backup_restores_with_gunzip_and_mariadb(
    fresh_db: Any, database_factory: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("MRPPLAN_DUMP_WORKERS", "3")
    seed(fresh_db)
    result = create_backup(environment(fresh_db, tmp_path), "full")
    members = result.path.read_bytes().count(b"\x1f\x8b\x08")
    assert members >= 4, "three table pieces and the views/routines piece"
    target = database_factory()
    _gunzip_into(result.path, target.settings, target.name)
    assert checksums(target) == checksums(fresh_db)
    assert objects(target) == objects(fresh_db)
    assert {t: s.checksum for t, s in result.manifest.tables.items()} == checksums(fresh_db)
    assert list(tmp_path.joinpath("backups").glob(".*")) == []  # no piece left behind
    verify_backup(result.path, deep=True, scratch=target.settings)


@contextlib.contextmanager
def _money_moving(db: Any) -> Iterator[None]:
    """Transfers between acct_a and acct_b, committed one after the other, while the block
    runs: the total of both tables is always 4,000,000."""
    db.execute(
        "CREATE TABLE acct_a (id INT PRIMARY KEY, amount BIGINT NOT NULL)",
        "CREATE TABLE acct_b (id INT PRIMARY KEY, amount BIGINT NOT NULL)",
        "INSERT INTO acct_a SELECT seq, 1000 FROM seq_1_to_2000",
        "INSERT INTO acct_b SELECT seq, 1000 FROM seq_1_to_2000",
    )
    stop = threading.Event()

    def transfers() -> None:
        conn = db.connect()
        conn.autocommit(False)
        n = 0
        with conn.cursor() as cur:
            while not stop.is_set():
                n += 1
                cur.execute("UPDATE acct_a SET amount = amount - 7 WHERE id = %s", (n % 2000 + 1,))
                cur.execute("UPDATE acct_b SET amount = amount + 7 WHERE id = %s", (n % 1999 + 1,))
                conn.commit()
        conn.close()

    writer = threading.Thread(target=transfers, daemon=True)
    writer.start()
    try:
        yield
    finally:
        stop.set()
        writer.join()


def _assert_one_point_in_time(result: Any, database_factory: Any) -> None:
    """Loaded the stock way, the file keeps the total and matches its manifest's checksums
    (what restore checks before it swaps anything in)."""
    target = database_factory()
    _gunzip_into(result.path, target.settings, target.name)
    total = target.query(
        "SELECT (SELECT SUM(amount) FROM acct_a) + (SELECT SUM(amount) FROM acct_b)"
    )
    assert int(total[0][0]) == 4_000_000, result.path.name
    assert {t: s.checksum for t, s in result.manifest.tables.items()} == checksums(target)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_workers_and_checksums_see_one_point_in_time_while_money_moves(
    workers: str, fresh_db: Any, database_factory: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """Transfers between two tables dumped by different workers: in the backup, the total
    is what it always is, and the manifest's checksums are those of the rows in the file.
    Sessions with snapshots a few commits apart would break either."""
    monkeypatch.setenv("MRPPLAN_DUMP_WORKERS", workers)
    with _money_moving(fresh_db):
        results = [create_backup(environment(fresh_db, tmp_path), "full") for _ in range(3)]
    for result in results:
        _assert_one_point_in_time(result, database_factory)


def test_a_rollback_point_of_some_tables_while_money_moves_matches_its_manifest(
    fresh_db: Any, database_factory: Any, tmp_path: Path
) -> None:
    """The checkpoint an apply takes of the tables a step touches, while the application
    writes: restoring it (a rollback) checks the same checksums."""
    with _money_moving(fresh_db):
        env = environment(fresh_db, tmp_path)
        results = [create_backup(env, "rollback", tables=("acct_a", "acct_b")) for _ in range(3)]
    for result in results:
        _assert_one_point_in_time(result, database_factory)


def test_a_login_that_cannot_block_commits_locks_the_tables_for_reading_instead(
    fresh_db: Any, database_factory: Any, tmp_path: Path
) -> None:
    """Without RELOAD, commits cannot be blocked; a moment of LOCK TABLES ... READ on the
    backed-up tables gives the dump and its checksums one point in time all the same."""
    login = _login(fresh_db, "lt_", "SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES")
    try:
        env = dataclasses.replace(environment(fresh_db, tmp_path), connection=login)
        with _money_moving(fresh_db):
            results = [create_backup(env, "full") for _ in range(3)]
        for result in results:
            assert result.manifest.binlog is None  # other tables' commits went on
            _assert_one_point_in_time(result, database_factory)
    finally:
        drop_login(fresh_db, str(login.user))


def _login(db: Any, prefix: str, grants: str) -> ConnectionSettings:
    """A login with `grants` on the test database (dropped with drop_login)."""
    user, password = prefix + db.name[-8:], "Pw-" + prefix + db.name[-8:]
    db.execute(
        f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'",
        f"GRANT {grants} ON `{db.name}`.* TO '{user}'@'%'",
        f"GRANT SELECT ON mysql.* TO '{user}'@'%'",
    )
    return ConnectionSettings(
        database=db.name, host="127.0.0.1", port=db.server.port, user=user, password=password
    )


@pytest.mark.parametrize(
    ("grants", "pieces"),
    [
        ("SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES", 3),  # held by LOCK TABLES ... READ
        ("SELECT, SHOW VIEW, TRIGGER, EVENT", 1),  # nothing holds the tables: one stream
    ],
)
def test_a_login_that_cannot_block_commits_still_backs_up(
    grants: str,
    pieces: int,
    fresh_db: Any,
    database_factory: Any,
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    monkeypatch.setenv("MRPPLAN_DUMP_WORKERS", "2")
    seed(fresh_db)
    login = _login(fresh_db, "ro_", grants)
    try:
        env = dataclasses.replace(environment(fresh_db, tmp_path), connection=login)
        result = create_backup(env, "full")
        assert result.path.read_bytes().count(b"\x1f\x8b\x08") == pieces
        # no position can be read without blocking commits: said, not guessed
        assert result.manifest.binlog is None
        assert any("point-in-time restore cannot start" in n for n in result.notes)
        # a checksum pass that could not be held with the dump is said too
        assert any("checksums come from a snapshot of their own" in n for n in result.notes) == (
            pieces == 1
        )
        target = database_factory()
        _gunzip_into(result.path, target.settings, target.name)
        assert checksums(target) == checksums(fresh_db)
    finally:
        drop_login(fresh_db, str(login.user))


def _wait_for_a_session_waiting_on(db: Any, table: str) -> None:
    """Until the backup has reached the locked table (some session waits for its lock)."""
    for _ in range(1200):
        waiting = db.query(
            "SELECT COUNT(*) FROM information_schema.processlist"
            " WHERE state = 'Waiting for table metadata lock' AND db = %s AND info LIKE %s",
            (db.name, f"%`{table}`%"),
        )
        if waiting[0][0]:
            return
        time.sleep(0.05)
    raise AssertionError(f"no session ever waited for {table}")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_manifest_is_the_same_whatever_the_workers(
    workers: str, fresh_db: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("MRPPLAN_DUMP_WORKERS", workers)
    seed(fresh_db)
    manifest = create_backup(environment(fresh_db, tmp_path), "full").manifest
    assert sorted(manifest.tables) == ["items", "stock", "stock_audit", "warehouses"]
    assert manifest.views == ["stock_totals"]
    assert {t: s.checksum for t, s in manifest.tables.items()} == checksums(fresh_db)


def test_a_table_locked_at_the_start_is_waited_for_without_blocking_commits(
    fresh_db: Any, database_factory: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """A table is locked for writing elsewhere when the backup starts: commits go on while
    the backup waits for the lock like mariadb-dump would, then it starts at one point in
    time: rows committed all along, while it waited and while it starts, are in the file
    and its checksums alike (CI once found them apart)."""
    monkeypatch.setenv("MRPPLAN_DUMP_WORKERS", "2")
    seed(fresh_db)
    locker = fresh_db.connect()
    with locker.cursor() as cur:
        cur.execute("LOCK TABLES stock WRITE")  # the first table of the second worker
    outcome: list[Any] = []
    backup = threading.Thread(
        target=lambda: outcome.append(create_backup(environment(fresh_db, tmp_path), "full"))
    )
    stop = threading.Event()

    def notes() -> None:  # not warehouses: a table `stock` references waits for the lock
        conn = fresh_db.connect()
        with conn.cursor() as cur:
            while not stop.is_set():
                cur.execute("INSERT INTO stock_audit (item_id, note) VALUES (1, 'meanwhile')")
        conn.close()

    writer = threading.Thread(target=notes, daemon=True)
    try:
        backup.start()
        _wait_for_a_session_waiting_on(fresh_db, "stock")
        fresh_db.execute("INSERT INTO stock_audit (item_id, note) VALUES (1, 'meanwhile')")
        assert backup.is_alive(), "the backup waits for the locked table"
        writer.start()
        time.sleep(0.5)
    finally:
        locker.close()  # releases the lock
        backup.join()
        stop.set()
        if writer.is_alive():
            writer.join()
    (result,) = outcome
    target = database_factory()
    _gunzip_into(result.path, target.settings, target.name)
    assert {t: s.checksum for t, s in result.manifest.tables.items()} == checksums(target)
