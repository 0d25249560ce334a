"""`mysql.session()`: the one way mrpplan opens a connection, closed on every path out."""

from __future__ import annotations

import time

import pytest
from dbtools import Database

from mrpplan.mysql import Session, session


def _threads(db: Database) -> set[int]:
    return {int(str(row[0])) for row in db.query("SELECT ID FROM information_schema.PROCESSLIST")}


def _gone(db: Database, thread: int) -> bool:
    """The server drops a closed session's thread shortly after the client's QUIT."""
    deadline = time.monotonic() + 5
    while thread in _threads(db):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_read_only_session_cannot_write(fresh_db: Database) -> None:
    with session(fresh_db.settings, read_only=True) as conn, conn.cursor() as cur:
        assert isinstance(conn, Session)
        with pytest.raises(Exception, match="READ ONLY"):
            cur.execute("CREATE TABLE t (id INT PRIMARY KEY)")
    assert fresh_db.query("SHOW TABLES") == []


def test_session_settings_hold_for_the_whole_session(fresh_db: Database) -> None:
    with (
        session(
            fresh_db.settings,
            lock_wait_timeout=7,
            innodb_lock_wait_timeout=9,
            sql_mode="ANSI_QUOTES",
        ) as conn,
        conn.cursor() as cur,
    ):
        cur.execute("SELECT @@lock_wait_timeout, @@innodb_lock_wait_timeout, @@sql_mode")
        assert cur.fetchone() == (7, 9, "ANSI_QUOTES")
        cur.execute("SELECT @@tx_read_only")
        assert cur.fetchone() == (0,)  # writable unless asked


def test_the_session_is_closed_when_the_block_fails(fresh_db: Database) -> None:
    with pytest.raises(RuntimeError), session(fresh_db.settings) as conn:
        thread = conn.thread_id()
        assert thread in _threads(fresh_db)
        raise RuntimeError("the caller failed half-way")
    assert not conn.open
    assert _gone(fresh_db, thread)


def test_a_session_closed_early_by_its_owner_is_not_closed_twice(fresh_db: Database) -> None:
    with session(fresh_db.settings) as conn:
        thread = conn.thread_id()
        conn.close()  # e.g. ending a BACKUP STAGE by logging out
    assert _gone(fresh_db, thread)
