"""The apply lock across a Galera cluster: a replicated row with a holder and a lease.

GET_LOCK is node-local on Galera, so two applies started through two nodes would both get
"the" lock. On a Galera node the apply lock is also a row in `_mrpplan_cluster.apply_lock`
(one per database), taken with a plain INSERT: a duplicate key (the row has replicated)
or a certification conflict (two nodes inserted at the same moment) means another apply
holds it. The holder renews its lease through a second connection while its own runs
long statements; a lease that ran out, or a holder process on this host that is gone,
leaves a stale row that the next apply replaces.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass

import pymysql

from mrpplan.errors import MrpplanError, Refused
from mrpplan.mysql.cluster import settings_of
from mrpplan.mysql.connection import Session, session
from mrpplan.mysql.quote import ident

LOCK_DATABASE = "_mrpplan_cluster"
LOCK_TABLE = "apply_lock"
LEASE_SECONDS = 20


def lease_seconds() -> float:
    """The lease (MRPPLAN_CLUSTER_LEASE_SECONDS: tests shorten it to see it renewed)."""
    return float(os.environ.get("MRPPLAN_CLUSTER_LEASE_SECONDS") or LEASE_SECONDS)


_QUALIFIED = f"{ident(LOCK_DATABASE)}.{ident(LOCK_TABLE)}"
_DDL = f"""CREATE TABLE IF NOT EXISTS {_QUALIFIED} (
  `lock_name` VARCHAR(64) NOT NULL,
  `token` CHAR(32) NOT NULL,
  `node` VARCHAR(255) NOT NULL,
  `connection_id` BIGINT UNSIGNED NOT NULL,
  `client_host` VARCHAR(255) NOT NULL,
  `pid` INT UNSIGNED NOT NULL,
  `acquired_at` DATETIME(6) NOT NULL,
  `lease_until` DATETIME(6) NOT NULL,
  PRIMARY KEY (`lock_name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"""
_CONFLICTS = (1062, 1213, 1205)  # duplicate key, certification conflict/deadlock, timeout


@dataclass(frozen=True)
class Holder:
    """Who holds a database's cluster lock, as the replicated row says."""

    token: str
    node: str
    connection_id: int
    client_host: str
    pid: int
    acquired_at: str
    lease_until: str
    live: bool  # the lease has not run out

    def describe(self) -> str:
        return (
            f"lock held by connection {self.connection_id} on node {self.node} (process "
            f"{self.pid} on host {self.client_host}, since {self.acquired_at}, lease until "
            f"{self.lease_until})"
        )

    @property
    def gone(self) -> bool:
        """Its process was on this host and has ended: the row is stale at once."""
        if self.client_host != socket.gethostname() or self.pid <= 0:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False


class _Lease(threading.Thread):
    """Renews one held lock's lease every third of its length, through its own connection."""

    def __init__(self, conn: Session, name: str, token: str):
        super().__init__(name=f"mrpplan-lease-{name}", daemon=True)
        self.conn = conn
        self.lock = name
        self.token = token
        self.stopping = threading.Event()
        self.lost = False

    def run(self) -> None:
        with contextlib.ExitStack() as held:
            self._renew(held)

    def _renew(self, held: contextlib.ExitStack) -> None:
        renewer: Session | None = None
        lease = lease_seconds()
        settings = settings_of(self.conn)
        while not self.stopping.wait(lease / 3):
            try:
                if renewer is None or not renewer.open:
                    renewer = held.enter_context(
                        session(settings, database=None, connect_timeout=5)
                    )
                with renewer.cursor() as cur:
                    cur.execute(
                        f"UPDATE {_QUALIFIED} SET lease_until = UTC_TIMESTAMP(6) + INTERVAL "
                        "%s MICROSECOND WHERE lock_name = %s AND token = %s",
                        (int(lease * 1e6), self.lock, self.token),
                    )
                    self.lost = cur.rowcount == 0
            except (pymysql.err.MySQLError, MrpplanError):
                if renewer is not None and renewer.open:  # the node may be back in a moment
                    with contextlib.suppress(Exception):
                        renewer.close()
                renewer = None  # the lease says how long it may take

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)


_HELD: dict[tuple[int, str], _Lease] = {}


def _ensure_table(conn: Session) -> None:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            (LOCK_DATABASE, LOCK_TABLE),
        )
        if cur.fetchone():
            return
        cur.execute(f"CREATE DATABASE IF NOT EXISTS {ident(LOCK_DATABASE)}")
        cur.execute(_DDL)


def holder(conn: Session, name: str) -> Holder | None:
    """The row of `name` (after this node has applied everything the cluster committed)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            (LOCK_DATABASE, LOCK_TABLE),
        )
        if not cur.fetchone():
            return None
        cur.execute("SET SESSION wsrep_sync_wait = 1")
        try:
            cur.execute(
                "SELECT token, node, connection_id, client_host, pid, acquired_at, lease_until, "
                f"lease_until > UTC_TIMESTAMP(6) FROM {_QUALIFIED} WHERE lock_name = %s",
                (name,),
            )
            row = cur.fetchone()
        finally:
            cur.execute("SET SESSION wsrep_sync_wait = DEFAULT")
    if not row:
        return None
    token, node, conn_id, host, pid, acquired, until, live = row
    return Holder(
        str(token),
        str(node),
        int(conn_id),
        str(host),
        int(pid),
        str(acquired),
        str(until),
        bool(live),
    )


def held_here(conn: Session, name: str) -> bool:
    return (id(conn), name) in _HELD


def other_holder(conn: Session, name: str) -> Holder | None:
    """A live holder that is not this connection (None: free, stale, or ours)."""
    if held_here(conn, name):
        return None
    found = holder(conn, name)
    if found is None or not found.live or found.gone:
        return None
    return found


def acquire(conn: Session, name: str, *, wait_seconds: float, database: str) -> None:
    """Take the cluster-wide lock or refuse (exit 3) naming its holder; waits up to
    `wait_seconds` for a holder to finish or its lease to run out."""
    _ensure_table(conn)
    deadline = time.monotonic() + wait_seconds
    while True:
        blocking = _try_take(conn, name)
        if blocking is None:
            return
        if time.monotonic() >= deadline:
            raise Refused(
                f"another apply is running on {database} through another node of the cluster: "
                f"{blocking}. Nothing was changed.",
                hint="wait for it to finish; if its process died, its lease runs out within "
                f"{lease_seconds():g} s (then run `mrpplan recover ENV`)",
            )
        time.sleep(0.5)


def _try_take(conn: Session, name: str) -> str | None:
    """None when taken, else the description of who holds it."""
    found = holder(conn, name)
    if found is not None and (not found.live or found.gone):
        with conn.cursor() as cur:
            cur.execute(
                f"DELETE FROM {_QUALIFIED} WHERE lock_name = %s AND token = %s",
                (name, found.token),
            )
    elif found is not None:
        return found.describe()
    token = secrets.token_hex(16)
    try:
        with conn.cursor() as cur:
            cur.execute(
                f"INSERT INTO {_QUALIFIED} (lock_name, token, node, connection_id, client_host, "
                "pid, acquired_at, lease_until) VALUES (%s, %s, CONCAT(@@wsrep_node_name, ' (', "
                "@@hostname, ':', @@port, ')'), CONNECTION_ID(), %s, %s, UTC_TIMESTAMP(6), "
                "UTC_TIMESTAMP(6) + INTERVAL %s MICROSECOND)",
                (name, token, socket.gethostname(), os.getpid(), int(lease_seconds() * 1e6)),
            )
    except pymysql.err.MySQLError as exc:
        if exc.args and exc.args[0] in _CONFLICTS:
            now = holder(conn, name)
            return now.describe() if now else "another apply took it at the same moment"
        raise
    lease = _Lease(conn, name, token)
    lease.start()
    _HELD[(id(conn), name)] = lease
    return None


def check_still_held(conn: Session) -> None:
    """Before each step: a lease this connection lost (the renewer found its row taken by
    another apply after it ran out) stops the apply here, before it changes more."""
    for (owner, name), lease in _HELD.items():
        if owner == id(conn) and lease.lost:
            raise MrpplanError(
                f"this apply lost the cluster lock {name}: its lease ran out (the node was "
                "unreachable for longer than the lease) and another apply took it; stopped "
                "before the next step"
            )


def release(conn: Session, name: str) -> None:
    """Give the lock back (a node that is gone cannot be told: the lease runs out)."""
    lease = _HELD.pop((id(conn), name), None)
    if lease is None:
        return
    lease.stop()
    with contextlib.suppress(pymysql.err.MySQLError), conn.cursor() as cur:
        cur.execute(
            f"DELETE FROM {_QUALIFIED} WHERE lock_name = %s AND token = %s", (name, lease.token)
        )
