"""A server session that runs the statements it is handed, in order, from a thread.

A load's INSERT statements go to the server as they are: through a `mariadb` client every
byte would be scanned once more by the client (measured on 250 MB of SQL: about 2.4 s of
CPU, on a 2-core machine CPU the server's inserts need). Only complete statements without
client commands (DELIMITER, USE) are handed over; the caller keeps those for a client.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time

import pymysql

from mrpplan.config.settings import ConnectionSettings
from mrpplan.errors import MrpplanError, SqlError
from mrpplan.mysql.client_process import LOAD_SESSION_SQL
from mrpplan.mysql.connection import kill_query, session

BACKLOG = 2  # statements waiting per session: enough to keep it busy, little memory
# The rows still go to the binary log (point-in-time restore and replicas replay the load);
# only the copy of each INSERT's text that MariaDB writes before its row events (an
# Annotate_rows event: a comment to mariadb-binlog, nothing a replay or a replica applies)
# is left out. A dump's INSERT is about as long as its rows, so the log written per row is
# about halved. A server without the variable (MySQL) or an account that may not set it
# loads as before.
NO_ANNOTATIONS_SQL = "SET SESSION binlog_annotate_row_events = 0"
STOP_SECONDS = 10  # how long leaving a killed session waits for its statement to end
# Row sessions insert into the same table at once. InnoDB may pick one of two INSERTs as a
# deadlock victim (two sessions meeting the same duplicate key, or gap locks of a table
# with a unique key); it rolls back that statement alone (autocommit), so running it again
# is what a serial load would have done. Measured in CI: two sessions inserting the same
# key got 1213 instead of the duplicate-key error the user needs to see.
DEADLOCK = 1213
DEADLOCK_RETRIES = 5


class StatementSession:
    """Statements run one after the other; the first error stops the session. Used as a
    context manager, it is logged out on every path (after `close`, nothing is left)."""

    name = "server session"

    def __init__(self, settings: ConnectionSettings, database: str):
        self.settings = settings
        with contextlib.ExitStack() as closing:  # closed at once if it cannot be set up
            self.conn = closing.enter_context(session(settings, database=database))
            self.conn.query(LOAD_SESSION_SQL)
            with contextlib.suppress(pymysql.err.MySQLError):
                self.conn.query(NO_ANNOTATIONS_SQL)
            self._closing = closing.pop_all()  # from here on, close() or __exit__ ends it
        self.thread_id = self.conn.thread_id()
        self.pending = False
        self.error: MrpplanError | None = None
        self._queue: queue.Queue[bytes | None] = queue.Queue(BACKLOG)
        self._worker = threading.Thread(target=self._run, daemon=True)
        self._worker.start()

    def _run(self) -> None:
        while (statement := self._queue.get()) is not None:
            try:
                if self.error is None:
                    self._query(statement)
            except pymysql.err.MySQLError as exc:
                errno = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
                reason = exc.args[1] if len(exc.args) > 1 else str(exc)
                self.error = SqlError(f"server error {errno}: {reason}", errno=errno)
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def _query(self, statement: bytes) -> None:
        """Run the statement; a deadlock victim (rolled back whole) runs again."""
        for attempt in range(DEADLOCK_RETRIES):
            try:
                self.conn.query(statement)
                return
            except pymysql.err.MySQLError as exc:
                if not exc.args or exc.args[0] != DEADLOCK or attempt == DEADLOCK_RETRIES - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))

    def send(self, statement: bytes) -> None:
        """Queue a statement (waits while BACKLOG statements wait); raises the first error."""
        if self.error is not None:
            raise self.error
        self._queue.put(statement)

    def sync(self) -> None:
        """Return once everything sent so far has run; raises the first error."""
        self._queue.join()
        self.pending = False
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        """Finish what was sent, then log out; raises the first error."""
        self._queue.put(None)
        self._worker.join()
        with contextlib.suppress(pymysql.err.MySQLError, OSError):
            self._closing.close()
        if self.error is not None:
            raise self.error

    def __enter__(self) -> StatementSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._worker.is_alive() and self.error is None:
            self.kill()
        deadline = time.monotonic() + STOP_SECONDS
        while self._worker.is_alive() and time.monotonic() < deadline:
            with contextlib.suppress(queue.Full):  # the worker skips what waits, then ends
                self._queue.put_nowait(None)
            self._worker.join(timeout=0.1)
        if not self._worker.is_alive():  # never close a socket a statement still uses
            with contextlib.suppress(pymysql.err.MySQLError, OSError):
                self._closing.close()

    def kill(self) -> None:
        """Stop the running statement on the server and drop what waits."""
        self.error = self.error or MrpplanError("stopped")
        with contextlib.suppress(MrpplanError, OSError, pymysql.err.MySQLError):
            kill_query(self.settings, self.thread_id)
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(None)
