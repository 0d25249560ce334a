"""One apply at a time per database: a server-side named lock (GET_LOCK).

The lock belongs to the connection, so a killed apply never leaves a stale lock behind.
On a Galera node GET_LOCK is node-local, so the lock is also a replicated row with a
lease (apply/cluster_lock.py), which holds across the cluster.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from typing import Any

from mrpplan.errors import Refused
from mrpplan.mysql import cluster_lock
from mrpplan.mysql.cluster import is_galera
from mrpplan.mysql.connection import Session, session

_MAX_NAME = 64


def lock_name(database: str) -> str:
    name = f"mrpplan:{database}"
    if len(name) <= _MAX_NAME:
        return name
    return f"mrpplan:{database[:30]}:{hashlib.sha256(database.encode()).hexdigest()[:16]}"


def acquire_lock(conn: Session, database: str, *, wait_seconds: int = 0) -> None:
    """Take the lock or refuse (exit 3) naming the connection and host that hold it."""
    name = lock_name(database)
    with conn.cursor() as cur:
        cur.execute("SELECT GET_LOCK(%s, %s)", (name, wait_seconds))
        row = cur.fetchone()
    if row and row[0] == 1:
        if is_galera(conn):
            try:
                cluster_lock.acquire(conn, name, wait_seconds=wait_seconds, database=database)
            except BaseException:
                release_lock(conn, database)
                raise
        return
    raise Refused(
        f"another apply is running on {database}: {describe_holder(conn, database)}. "
        "Nothing was changed.",
        hint="wait for it to finish; if its process died, the lock goes with its connection "
        "(then run `mrpplan recover ENV`)",
    )


@contextlib.contextmanager
def holding_lock(conn: Session, database: str, *, wait_seconds: int = 0) -> Iterator[None]:
    """Hold the database's lock for the block; releasing never hides the block's own error."""
    acquire_lock(conn, database, wait_seconds=wait_seconds)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            release_lock(conn, database)


def describe_holder(conn: Session, database: str) -> str:
    """'lock held by connection 42 from host 10.0.0.5:51234 (user deploy, running 12 s)'."""
    remote = _cluster_holder(conn, database)
    if remote is not None:
        return remote.describe()
    holder = holder_id(conn, database)
    if holder is None:
        return "the lock was just released; try again"
    with conn.cursor() as cur:
        cur.execute(
            "SELECT HOST, USER, TIME, COALESCE(INFO, COMMAND) FROM information_schema.PROCESSLIST "
            "WHERE ID = %s",
            (holder,),
        )
        info = cur.fetchone()
    if not info:
        return f"lock held by connection {holder}"
    host, user, seconds, doing = info
    text = f"lock held by connection {holder} from host {host} (user {user}, {seconds} s"
    if doing:
        text += f", now: {str(doing)[:80]}"
    return text + ")"


def holder_id(conn: Session, database: str) -> int | None:
    """The connection holding the lock (on a Galera cluster: through any node), or None."""
    with conn.cursor() as cur:
        cur.execute("SELECT IS_USED_LOCK(%s)", (lock_name(database),))
        row = cur.fetchone()
    if row and row[0] is not None:
        return int(row[0])
    remote = _cluster_holder(conn, database)
    return remote.connection_id if remote is not None else None


def _cluster_holder(conn: Session, database: str) -> cluster_lock.Holder | None:
    """Another apply's live lease on the cluster lock (None on a single server)."""
    if not is_galera(conn):
        return None
    return cluster_lock.other_holder(conn, lock_name(database))


def release_lock(conn: Session, database: str) -> None:
    cluster_lock.release(conn, lock_name(database))
    with conn.cursor() as cur:
        cur.execute("DO RELEASE_LOCK(%s)", (lock_name(database),))


# A process killed with -9 keeps its lock until the server notices the closed connection
# (usually within a second): wait that long before calling the lock held.
DEAD_HOLDER_GRACE_SECONDS = 3


@contextlib.contextmanager
def locked_session(env: Any) -> Iterator[Session]:
    """A connection (to no database yet: it may not exist) holding env's apply lock.

    Every writing command enters this before it reads anything that decides its plan, and
    hands the connection to the executor, so nothing else can write in between.
    """
    with (
        session(env.connection, database=None) as conn,
        holding_lock(conn, env.connection.database, wait_seconds=DEAD_HOLDER_GRACE_SECONDS),
    ):
        yield conn
