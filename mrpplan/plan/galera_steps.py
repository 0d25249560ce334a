"""How each DDL step runs on a Galera cluster, chosen by policy and shown with its reason.

On Galera a DDL statement runs under Total Order Isolation (TOI): every node runs it at
the same point of the replication stream, and writes to the whole cluster wait for it.
- instant and metadata-only changes: TOI (the wait is a moment);
- a blocking change of a big table (policy.online_schema_change.min_rows): the online
  step of one server, run by pt-online-schema-change in its cluster mode (rows copied in
  chunks that replicate like any write, paused while flow control passes the
  environment's `cluster.max_flow_control_paused`; only its short trigger and swap DDL run
  under TOI);
- a copying change of a small table: TOI, its reason says writes wait cluster-wide.
A change that can neither run online nor roll is refused by the same policy as on one
server (plan/online_steps.py). Rolling schema upgrades (RSU) are not chosen yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from mrpplan.mysql.cluster import is_galera
from mrpplan.plan.providers import PlanContext
from mrpplan.plan.types import Step

_DDL_ACTIONS = frozenset(
    {"create_table", "alter_table", "drop_table", "rename_table", "create_view", "drop_view"}
)
_QUICK = frozenset({"instant", "nocopy"})


def route_galera(ctx: PlanContext, drafts: Sequence[Step]) -> list[Step]:
    """Each DDL draft with its Galera method in its reason (unchanged on one server)."""
    if not is_galera(ctx.conn):
        return list(drafts)
    cluster = ctx.env.cluster
    flow = cluster.max_flow_control_paused if cluster is not None else 0.1
    return [_with_method(d, flow) for d in drafts]


def _with_method(draft: Step, flow: float) -> Step:
    if draft.action == "online_alter" and draft.online is not None:
        method = (
            f"Galera: {draft.online.tool} in its cluster mode: rows are copied in chunks "
            "that replicate like any write, paused while flow control holds the cluster more "
            f"than {flow:.0%} of the time (--max-flow-ctl); only its trigger and swap DDL run "
            "under TOI (a moment)"
        )
        online = replace(draft.online, max_flow_ctl=round(flow * 100, 1))
        return replace(draft, reason=_joined(draft.reason, method), payload=online)
    if draft.action not in _DDL_ACTIONS:
        return draft
    if draft.action != "alter_table" or draft.algorithm in _QUICK:
        method = (
            "Galera: TOI, metadata-only: every node makes this change at the same point of "
            "the replication stream; writes wait only for that moment"
        )
    else:
        method = (
            f"Galera: TOI, ALGORITHM={draft.algorithm.upper()}: every node runs this ALTER at "
            "once and writes to the whole cluster wait until it ends (the table is below "
            "policy.online_schema_change.min_rows)"
        )
    return replace(draft, reason=_joined(draft.reason, method))


def _joined(reason: str, method: str) -> str:
    return f"{reason}; {method}" if reason else method
