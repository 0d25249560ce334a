"""`cluster: {type: replicas}` (issue 27): plan checks each replica of the primary before it
shows steps, and refuses (exit 3) naming a replica that is not replicating. Its own pair of
servers (a module-scoped pair cannot be shared by two xdist workers)."""

from __future__ import annotations

from dbtools import REPO
from online_support import TinyProject
from replication import Pair

PAIR_DIR = REPO / ".mrpplan" / "replication-ready"  # its own pair (conftest `pair`)


def test_a_stopped_replica_makes_plan_refuse_naming_it(pair: Pair, on_primary: TinyProject) -> None:
    """`cluster: {type: replicas}` (issue 27): plan checks each replica before it shows steps."""
    env = on_primary.root / "environments" / "big.yaml"
    replica = f"127.0.0.1:{pair.replica.port}"
    env.write_text(
        env.read_text() + f"cluster: {{type: replicas, nodes: ['{replica}'], max_replica_lag: 5}}\n"
    )
    assert on_primary.cli("plan", "big").code == 0
    pair.query("replica", "STOP SLAVE SQL_THREAD")
    try:
        refused = on_primary.cli("plan", "big")
    finally:
        pair.query("replica", "START SLAVE SQL_THREAD")
    assert refused.code == 3, refused.output
    assert f"replica {replica} is not replicating" in refused.output
    assert "Nothing was planned" in refused.output
