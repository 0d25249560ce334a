"""What a server says about the cluster it belongs to: Galera (wsrep) status, replicas.

mrpplan recognises a Galera node by itself (`wsrep_on`, `wsrep_cluster_address`), also
when the environment names a single node: the other members come from the node's own
`wsrep_incoming_addresses`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import pymysql

from mrpplan.config.settings import ConnectionSettings
from mrpplan.errors import MrpplanError
from mrpplan.mysql.connection import Session, session

Found = TypeVar("Found")


@dataclass(frozen=True)
class GaleraNode:
    """One node's own view (SHOW GLOBAL STATUS/VARIABLES LIKE 'wsrep%')."""

    address: str  # host:port of its clients, as the environment names it
    name: str  # wsrep_node_name
    state: str  # wsrep_local_state_comment: Synced, Donor/Desynced, Joining, ...
    cluster_status: str  # Primary | non-Primary | Disconnected
    cluster_size: int
    flow_control_paused: float  # fraction of time paused since the last FLUSH STATUS
    desync: bool  # wsrep_desync=ON: the node lags on purpose (a backup, RSU)
    members: tuple[str, ...]  # wsrep_incoming_addresses: every member's client address
    state_uuid: str  # wsrep_cluster_state_uuid
    last_committed: int  # wsrep_last_committed


@dataclass(frozen=True)
class ReplicaStatus:
    """One replica's SHOW SLAVE STATUS, as far as a plan needs it."""

    address: str
    io_running: bool
    sql_running: bool
    lag_seconds: int | None  # Seconds_Behind_Master (None: unknown, replication stopped)
    error: str


def _pairs(conn: Session, sql: str) -> dict[str, str]:
    with conn.cursor() as cur:
        cur.execute(sql)
        return {str(k).lower(): "" if v is None else str(v) for k, v in cur.fetchall()}


def is_galera(conn: Session) -> bool:
    """wsrep_on with a cluster address: a Galera node, whatever the environment says."""
    values = _pairs(
        conn,
        "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('wsrep_on', 'wsrep_cluster_address')",
    )
    return values.get("wsrep_on", "OFF").upper() == "ON" and bool(
        values.get("wsrep_cluster_address", "").strip()
    )


def galera_node(conn: Session, address: str) -> GaleraNode | None:
    """The node's view of the cluster, or None when the server is no Galera node."""
    if not is_galera(conn):
        return None
    status = _pairs(conn, "SHOW GLOBAL STATUS LIKE 'wsrep%'")
    variables = _pairs(
        conn,
        "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('wsrep_node_name', 'wsrep_desync')",
    )
    members = tuple(a for a in status.get("wsrep_incoming_addresses", "").split(",") if a)
    return GaleraNode(
        address=address,
        name=variables.get("wsrep_node_name", ""),
        state=status.get("wsrep_local_state_comment", ""),
        cluster_status=status.get("wsrep_cluster_status", ""),
        cluster_size=int(status.get("wsrep_cluster_size", "0") or 0),
        flow_control_paused=float(status.get("wsrep_flow_control_paused", "0") or 0),
        desync=variables.get("wsrep_desync", "OFF").upper() == "ON",
        members=members,
        state_uuid=status.get("wsrep_cluster_state_uuid", ""),
        last_committed=int(status.get("wsrep_last_committed", "0") or 0),
    )


def replica_status(conn: Session, address: str) -> ReplicaStatus | None:
    """A replica's SHOW SLAVE STATUS, or None when the server replicates from no one."""
    with conn.cursor(pymysql.cursors.DictCursor) as cur:
        cur.execute("SHOW SLAVE STATUS")
        row = cur.fetchone()
    if not row:
        return None
    lag = row.get("Seconds_Behind_Master")
    return ReplicaStatus(
        address=address,
        io_running=str(row.get("Slave_IO_Running", "")) == "Yes",
        sql_running=str(row.get("Slave_SQL_Running", "")) == "Yes",
        lag_seconds=None if lag is None else int(lag),
        error=str(row.get("Last_Error") or row.get("Last_IO_Error") or ""),
    )


def node_settings(base: ConnectionSettings, address: str) -> ConnectionSettings:
    """The environment's credentials aimed at another node (`host:port`)."""
    host, _, port = address.rpartition(":")
    if not host:
        host, port = address, ""
    return replace(base, host=host, port=int(port) if port else base.port, socket=None)


def same_address(settings: ConnectionSettings, address: str) -> bool:
    target = node_settings(settings, address)
    local = {"127.0.0.1", "localhost", "::1"}
    hosts = {settings.host or "127.0.0.1", target.host or ""}
    return target.port == settings.port and (len(hosts) == 1 or hosts <= local)


@contextlib.contextmanager
def node_connection(base: ConnectionSettings, address: str, *, timeout: int = 3) -> Any:
    """A short connection to one node (no database); ConnectionFailed when it is down."""
    with session(node_settings(base, address), database=None, connect_timeout=timeout) as conn:
        yield conn


def read_node(base: ConnectionSettings, address: str) -> GaleraNode | str:
    """One node's view, or why it cannot be read (down, refused, no Galera node)."""
    return _read(base, address, galera_node, "is not a Galera node (wsrep_on is OFF)")


def read_replica(base: ConnectionSettings, address: str) -> ReplicaStatus | str:
    return _read(
        base, address, replica_status, "replicates from no one (SHOW SLAVE STATUS is empty)"
    )


def _read(
    base: ConnectionSettings,
    address: str,
    read: Callable[[Session, str], Found | None],
    absent: str,
) -> Found | str:
    """What `read` finds on one node, or why it cannot be read (`absent`: it found nothing)."""
    try:
        with node_connection(base, address) as conn:
            found = read(conn, address)
    except MrpplanError as exc:
        return f"cannot be reached ({str(exc).splitlines()[0]})"
    except pymysql.err.MySQLError as exc:
        return f"cannot be read ({exc.args[-1] if exc.args else exc})"
    return found if found is not None else absent


def set_desync(conn: Session, on: bool) -> None:
    """wsrep_desync: the node stops holding the cluster back with flow control (a dump)."""
    with conn.cursor() as cur:
        cur.execute(f"SET GLOBAL wsrep_desync = {'ON' if on else 'OFF'}")


def position(conn: Session) -> dict[str, object]:
    """The cluster position this node has applied (for a backup's manifest)."""
    status = _pairs(
        conn,
        "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_last_committed', "
        "'wsrep_cluster_state_uuid', 'wsrep_local_state_uuid')",
    )
    variables = _pairs(conn, "SHOW GLOBAL VARIABLES WHERE Variable_name = 'wsrep_node_name'")
    return {
        "cluster_state_uuid": status.get("wsrep_cluster_state_uuid", ""),
        "last_committed": int(status.get("wsrep_last_committed", "0") or 0),
        "node": variables.get("wsrep_node_name", ""),
    }


def settings_of(conn: Session) -> ConnectionSettings:
    """Where `conn` is connected, with its credentials (in memory, never on disk): the
    apply lock's lease is renewed through a second session while `conn` runs a long
    statement."""
    password = conn.password
    return ConnectionSettings(
        database="",
        host=None if conn.unix_socket else conn.host,
        port=None if conn.unix_socket else conn.port,
        user=conn.user.decode() if isinstance(conn.user, bytes) else conn.user,
        socket=str(conn.unix_socket) if conn.unix_socket else None,
        password=password.decode("latin1") if isinstance(password, bytes) else password,
    )
