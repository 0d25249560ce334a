"""One consistent point in time for several sessions (a parallel dump and its checksums).

MariaDB cannot share one transaction's snapshot between sessions. But while commits are
blocked (`BACKUP STAGE BLOCK_COMMIT`, MariaDB 10.4+), every `START TRANSACTION WITH
CONSISTENT SNAPSHOT` sees the same data, so sessions that start their snapshot inside that
window agree. The window lasts only until each session has its snapshot (tens of
milliseconds): commits wait, reads and uncommitted writes go on; nothing is flushed
(unlike FLUSH TABLES WITH READ LOCK, it does not wait for long-running SELECTs).
"""

from __future__ import annotations

import contextlib

import pymysql

from mrpplan.config.settings import ConnectionSettings
from mrpplan.errors import MrpplanError
from mrpplan.mysql.binlog import Position, current_position
from mrpplan.mysql.connection import Session, session


class CommitBlock:
    """Commits on the server are blocked from `try_block` until `release`."""

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
        if conn is None:
            return
        # closing the session ends the backup stage in any case
        with self._closing, conn.cursor() as cur:
            cur.execute("BACKUP STAGE END")


def try_block(settings: ConnectionSettings, timeout: int = 10) -> CommitBlock | None:
    """Block commits, or None when this server or login cannot (no BACKUP STAGE support,
    no RELOAD privilege, or the block was not granted within `timeout` seconds)."""
    with contextlib.ExitStack() as closing:
        try:
            conn = closing.enter_context(
                session(settings, database=None, lock_wait_timeout=timeout)
            )
        except (MrpplanError, pymysql.err.MySQLError):
            return None
        try:
            with conn.cursor() as cur:
                cur.execute("BACKUP STAGE START")
                cur.execute("BACKUP STAGE BLOCK_COMMIT")
        except pymysql.err.MySQLError:
            return None
        return CommitBlock(closing.pop_all(), conn)
