"""After an apply on a Galera cluster: every node's fingerprint against the apply node's.

Galera replicates DDL under TOI and rows by certification, so the nodes should agree; a
node that does not (a statement skipped by wsrep_OSU_method=RSU, a node that left) is
reported by name. Each node is read with wsrep_sync_wait, so it first applies everything
the cluster committed before the read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mrpplan.config.settings import Environment
from mrpplan.errors import MrpplanError
from mrpplan.mysql.cluster import node_connection
from mrpplan.plan.live import read_state


def node_fingerprints(env: Environment, addresses: tuple[str, ...]) -> dict[str, str]:
    """address -> fingerprint of env's database there ("unreachable: ..." when it is not)."""
    database = env.connection.database
    found: dict[str, str] = {}
    for address in addresses:
        try:
            with node_connection(env.connection, address, timeout=5) as conn:
                _causal(conn)
                found[address] = read_state(conn, database).fingerprint
        except MrpplanError as exc:
            found[address] = f"unreachable: {str(exc).splitlines()[0]}"
    return found


def differences(conn: Any, env: Environment, addresses: tuple[str, ...]) -> list[str]:
    """One line per node whose database differs from what the apply left through `conn`."""
    expected = read_state(conn, env.connection.database).fingerprint
    return [
        f"node {address}: fingerprint {fingerprint[:12]}, not {expected[:12]} as on "
        f"{env.connection.endpoint()}"
        for address, fingerprint in node_fingerprints(env, addresses).items()
        if fingerprint != expected
    ]


def compare_nodes(
    conn: Any, env: Environment, addresses: tuple[str, ...], say: Callable[[str], None]
) -> list[str]:
    """Every node of the cluster against the apply node; the differences are said."""
    found = differences(conn, env, addresses)
    for line in found:
        say(f"cluster: {line}")
    if not found:
        say(f"cluster: all {len(addresses)} nodes have the same fingerprint")
    return found


def _causal(conn: Any) -> None:
    with conn.cursor() as cur:
        cur.execute("SET SESSION wsrep_sync_wait = 1")
