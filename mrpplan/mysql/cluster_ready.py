"""Is the cluster fit for a schema change? Checked before `plan` shows steps and again
before `apply` writes (DESIGN §3.14): Primary, every node Synced (not desynced), the
expected size, flow control below the threshold, replica lag. Refused (exit 3) naming the
node and the reason otherwise.

A Galera node is recognised by itself, so an environment naming one node of a cluster is
checked as a cluster too (its members are the node's `wsrep_incoming_addresses`).
"""

from __future__ import annotations

from dataclasses import dataclass

from mrpplan.config.settings import ClusterSettings, Environment
from mrpplan.errors import Refused
from mrpplan.mysql.cluster import GaleraNode, galera_node, read_node, read_replica
from mrpplan.mysql.connection import Session


@dataclass(frozen=True)
class ClusterView:
    """What the check found: the node the environment names and every member read."""

    through: GaleraNode
    nodes: tuple[GaleraNode, ...]

    @property
    def addresses(self) -> tuple[str, ...]:
        return tuple(n.address for n in self.nodes)


def check_cluster(conn: Session, env: Environment, unchanged: str) -> ClusterView | None:
    """Refuse unless the cluster is ready; None for a single server (nothing to check)."""
    settings = env.cluster
    if settings is not None and settings.type == "replicas":
        _check_replicas(env, settings, unchanged)
        return None
    here = galera_node(conn, env.connection.endpoint())
    if here is None:
        if settings is not None:
            _refuse(
                f"{env.connection.endpoint()} is not a Galera node (wsrep_on is OFF), but "
                f"{env.file.name} names a Galera cluster",
                unchanged,
            )
        return None
    settings = settings or ClusterSettings()
    addresses = settings.nodes or here.members or (env.connection.endpoint(),)
    problems: list[str] = []
    nodes: list[GaleraNode] = []
    for address in addresses:
        found = read_node(env.connection, address)
        if isinstance(found, str):
            problems.append(f"node {address} {found}")
            continue
        nodes.append(found)
        problems += _node_problems(found, settings)
    expected = settings.size or (len(settings.nodes) if settings.nodes else None)
    if expected is not None and here.cluster_size != expected:
        missing = [a for a in addresses if a not in here.members]
        named = f" (not a member: {', '.join(missing)})" if missing else ""
        problems.append(f"the cluster has {here.cluster_size} members, {expected} expected{named}")
    if problems:
        _refuse("; ".join(dict.fromkeys(problems)), unchanged)
    return ClusterView(here, tuple(nodes))


def _node_problems(node: GaleraNode, settings: ClusterSettings) -> list[str]:
    label = f"node {node.name} ({node.address})" if node.name else f"node {node.address}"
    found: list[str] = []
    if node.cluster_status != "Primary":
        found.append(f"{label} is in a {node.cluster_status or 'unknown'} component, not Primary")
    if node.desync:
        found.append(f"{label} is desynced (wsrep_desync=ON: a backup or a rolling change)")
    if node.state != "Synced":
        found.append(f"{label} is {node.state or 'in an unknown state'}, not Synced")
    if node.flow_control_paused > settings.max_flow_control_paused:
        found.append(
            f"{label} was paused by flow control {node.flow_control_paused:.0%} of the time "
            f"(limit {settings.max_flow_control_paused:.0%}): the cluster cannot keep up"
        )
    return found


def _check_replicas(env: Environment, settings: ClusterSettings, unchanged: str) -> None:
    problems: list[str] = []
    for address in settings.nodes:
        found = read_replica(env.connection, address)
        if isinstance(found, str):
            problems.append(f"replica {address} {found}")
        elif not (found.io_running and found.sql_running):
            why = f": {found.error}" if found.error else ""
            problems.append(f"replica {address} is not replicating{why}")
        elif found.lag_seconds is None or found.lag_seconds > settings.max_replica_lag:
            problems.append(
                f"replica {address} is {found.lag_seconds} s behind "
                f"(limit {settings.max_replica_lag:g} s)"
            )
    if problems:
        _refuse("; ".join(problems), unchanged)


def _refuse(reason: str, unchanged: str) -> None:
    raise Refused(
        f"the cluster is not ready for a change: {reason}. {unchanged}",
        hint="wait until every node is Synced in one Primary cluster of the expected size "
        "(SHOW GLOBAL STATUS LIKE 'wsrep_%' on each node), then run it again",
    )
