"""One consistent point in time for several sessions (a parallel dump and its checksums).

MariaDB cannot share one transaction's snapshot between sessions. But while commits are
blocked (`BACKUP STAGE BLOCK_COMMIT`, MariaDB 10.4+), every `START TRANSACTION WITH
CONSISTENT SNAPSHOT` sees the same data, so sessions that start their snapshot inside that
window agree. The window lasts only until each session has its snapshot (tens of
milliseconds): commits wait, reads and uncommitted writes go on; nothing is flushed
(unlike FLUSH TABLES WITH READ LOCK, it does not wait for long-running SELECTs).

A login without RELOAD cannot block commits. It can still hold the tables being backed up
still: `LOCK TABLES ... READ` on them (the LOCK TABLES privilege mariadb-dump itself uses)
waits for the transactions writing them to end and keeps new writes waiting, so snapshots
started while it is held agree on those tables. Commits to other tables go on, so it
gives no binary-log position.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import pymysql

from mrpplan.config.settings import ConnectionSettings
from mrpplan.errors import MrpplanError, SqlError
from mrpplan.mysql.binlog import Position, current_position
from mrpplan.mysql.connection import Session, session
from mrpplan.mysql.quote import ident


class CommitBlock:
    """Commits on the server are blocked from `hold_still` until `release`."""

    END = "BACKUP STAGE END"  # closing the session would end it too

    def __init__(self, closing: contextlib.ExitStack, conn: Session):
        self._closing = closing  # holds the session open until release
        self._conn: Session | None = conn

    def binlog_position(self) -> Position | None:
        """The binary-log position while commits are blocked: exactly the point of every
        snapshot started inside the block (None when the server keeps no binary log)."""
        if self._conn is None:
            return None
        try:
            return current_position(self._conn)
        except (pymysql.err.MySQLError, MrpplanError):
            return None  # no BINLOG MONITOR privilege: the backup has no position

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with self._closing, conn.cursor() as cur:
                cur.execute(self.END)


class TableReadLock(CommitBlock):
    """Writes to the locked tables wait from `hold_still` until `release`."""

    END = "UNLOCK TABLES"

    def binlog_position(self) -> Position | None:
        return None  # commits to other tables went on: no position is the tables' point


class TablesBusy(MrpplanError):
    """Another session's lock kept the hold from being granted in time (a LOCK TABLES ...
    WRITE or DDL anywhere stops BACKUP STAGE START; one on these tables stops LOCK TABLES).
    Waiting for it does not keep anyone else waiting (measured on MariaDB 10.11)."""


LOCK_WAIT_TIMEOUT = 1205
HOLD_WAIT_SECONDS = 2  # how long asking for a hold may wait for another session's lock


def hold_still(
    settings: ConnectionSettings,
    database: str,
    tables: Sequence[str],
    timeout: int = HOLD_WAIT_SECONDS,
) -> CommitBlock | None:
    """Hold `tables` still for snapshots to start at one point in time: commits blocked
    (a position too), else the tables locked for reading. None when this login or server
    can do neither; TablesBusy when a lock held elsewhere was in the way (wait, try again)."""
    busy = False
    for take in (_block_commits, _lock_for_reading):
        try:
            return take(settings, database, tables, timeout)
        except pymysql.err.MySQLError as exc:
            busy = busy or (bool(exc.args) and exc.args[0] == LOCK_WAIT_TIMEOUT)
        except MrpplanError:
            pass  # cannot log in for it: the next way, or none
    if busy:
        raise TablesBusy("the tables are locked by another session")
    return None


def _held(
    settings: ConnectionSettings, timeout: int, statements: Sequence[str], kind: type[CommitBlock]
) -> CommitBlock:
    """A session that ran `statements` and holds what they took until `release`."""
    with contextlib.ExitStack() as closing:
        conn = closing.enter_context(session(settings, database=None, lock_wait_timeout=timeout))
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
        return kind(closing.pop_all(), conn)


def _block_commits(
    settings: ConnectionSettings, _database: str, _tables: Sequence[str], timeout: int
) -> CommitBlock:
    """BACKUP STAGE up to BLOCK_COMMIT (MariaDB 10.4+, the RELOAD privilege)."""
    return _held(
        settings, timeout, ["BACKUP STAGE START", "BACKUP STAGE BLOCK_COMMIT"], CommitBlock
    )


def _lock_for_reading(
    settings: ConnectionSettings, database: str, tables: Sequence[str], timeout: int
) -> CommitBlock:
    """LOCK TABLES ... READ on `tables` (the LOCK TABLES privilege)."""
    names = ", ".join(f"{ident(database)}.{ident(t)} READ" for t in tables)
    return _held(settings, timeout, [f"LOCK TABLES {names}"], TableReadLock)


def wait_until_readable(settings: ConnectionSettings, database: str, tables: Sequence[str]) -> None:
    """Return once no other session's lock keeps `tables` from being read: waits as long
    as mariadb-dump would (the server's lock_wait_timeout), holding nothing itself."""
    with session(settings, database=database) as conn, conn.cursor() as cur:
        for table in tables:
            try:
                cur.execute(f"SELECT 1 FROM {ident(table)} LIMIT 0")
            except pymysql.err.MySQLError as exc:
                errno = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
                reason = f"waiting to read {table} failed: {exc.args[-1]}"
                raise SqlError(reason, errno=errno) from None
