"""After an apply on a Galera cluster: every node's fingerprint against the apply node's.

Galera replicates DDL under TOI and rows by certification, so the nodes should agree; a
node that does not (a statement skipped by wsrep_OSU_method=RSU, a node that left) is
reported by name, with the objects that differ. Each node is read with wsrep_sync_wait,
so it first applies everything the cluster committed before the read; a node that still
differs is read again for a few seconds (a busy node may apply a TOI statement late)
before it is reported.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from mrpplan.config.settings import Environment
from mrpplan.errors import MrpplanError
from mrpplan.mysql.cluster import node_connection
from mrpplan.mysql.connection import Session
from mrpplan.plan.fingerprint import DatabaseState
from mrpplan.plan.live import read_state

SETTLE_SECONDS = 10.0


def node_state(env: Environment, address: str) -> DatabaseState | str:
    """env's database as one node has it, or why it cannot be read."""
    try:
        with node_connection(env.connection, address, timeout=5) as conn:
            with conn.cursor() as cur:
                cur.execute("SET SESSION wsrep_sync_wait = 1")
            return read_state(conn, env.connection.database)
    except MrpplanError as exc:
        return f"unreachable: {str(exc).splitlines()[0]}"


def differences(conn: Session, env: Environment, addresses: tuple[str, ...]) -> list[str]:
    """One line per node whose database differs from what the apply left through `conn`."""
    expected = read_state(conn, env.connection.database)
    found = []
    for address in addresses:
        deadline = time.monotonic() + SETTLE_SECONDS
        state = node_state(env, address)
        while _differs(state, expected) and time.monotonic() < deadline:
            time.sleep(0.5)
            state = node_state(env, address)
        if _differs(state, expected):
            found.append(f"node {address}: {_what_differs(state, expected)}")
    return found


def _differs(state: DatabaseState | str, expected: DatabaseState) -> bool:
    return isinstance(state, str) or state.fingerprint != expected.fingerprint


def _what_differs(state: DatabaseState | str, expected: DatabaseState) -> str:
    if isinstance(state, str):
        return state
    mine, theirs = expected.schema.tables, state.schema.tables
    objects = sorted(
        name
        for name in set(mine) | set(theirs)
        if mine.get(name, None) is None
        or theirs.get(name, None) is None
        or mine[name].canonical != theirs[name].canonical
    )
    if state.schema.fingerprint() != expected.schema.fingerprint() and not objects:
        objects = ["views, routines, triggers or events"]
    if state.schema_history != expected.schema_history:
        objects.append("mrpplan_schema_history")
    if state.seed_history != expected.seed_history:
        objects.append("mrpplan_seed_history")
    return (
        f"fingerprint {state.fingerprint[:12]}, not {expected.fingerprint[:12]} as on the "
        f"apply node; differs in {', '.join(objects)}"
    )


def compare_nodes(
    conn: Session, env: Environment, addresses: tuple[str, ...], say: Callable[[str], None]
) -> list[str]:
    """Every node of the cluster against the apply node; the differences are said."""
    found = differences(conn, env, addresses)
    for line in found:
        say(f"cluster: {line}")
    if not found:
        say(f"cluster: all {len(addresses)} nodes have the same fingerprint")
    return found
