"""A backup of a Galera cluster: dumped from one chosen node, desynced while it dumps.

`cluster.backup_node` (host:port) names the node that serves backups (default: the node
the environment names). While the dump runs the node is desynced (`wsrep_desync=ON`): it
still applies every write, but a slow dump no longer holds the whole cluster back with
flow control. The manifest records the cluster position the dump starts from
(`wsrep_cluster_state_uuid`, `wsrep_last_committed`).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from mrpplan.config.settings import ConnectionSettings, Environment
from mrpplan.mysql.cluster import is_galera, node_settings, position, set_desync
from mrpplan.mysql.connection import Session, session


def backup_settings(env: Environment) -> ConnectionSettings:
    """Where the dump runs: `cluster.backup_node`, else the environment's own connection."""
    chosen = env.cluster.backup_node if env.cluster is not None else None
    return node_settings(env.connection, chosen) if chosen else env.connection


@dataclass
class Desynced:
    """A node desynced for a dump; `release` syncs it again (always, even after a failure)
    and closes its session (held by `held` while the dump runs)."""

    conn: Session
    held: contextlib.ExitStack
    position: dict[str, object] = field(default_factory=dict)

    def release(self) -> None:
        with contextlib.suppress(Exception):
            set_desync(self.conn, False)
        with contextlib.suppress(Exception):
            self.held.close()


def desync_for_dump(settings: ConnectionSettings) -> Desynced | None:
    """Desync the node and read its position; None on a server that is no Galera node."""
    with contextlib.ExitStack() as held:
        conn = held.enter_context(session(settings, database=None))
        if not is_galera(conn):
            return None
        set_desync(conn, True)
        try:
            where = {**position(conn), "node_address": settings.endpoint(), "desynced": True}
        except Exception:
            set_desync(conn, False)
            raise
        return Desynced(conn, held.pop_all(), where)
