"""plan refuses (exit 3) on a cluster that is not ready, naming the node and the reason:
a desynced node, a stopped node; also when the environment names just one node."""

from __future__ import annotations

import pytest
from dbtools import REPO
from galera_support import GaleraProject, node_query, wait_for

from mrpplan import sandbox_galera


def test_a_desynced_node_makes_plan_refuse_naming_it(gproject: GaleraProject) -> None:
    node3 = gproject.nodes[2]
    node_query(node3, "SET GLOBAL wsrep_desync = ON")
    try:
        refused = gproject.cli("plan", "g1")
    finally:
        node_query(node3, "SET GLOBAL wsrep_desync = OFF")
    assert refused.code == 3, refused.output
    assert f"node node3 (127.0.0.1:{node3.port}) is desynced" in refused.output
    assert "Nothing was planned" in refused.output
    assert "Traceback" not in refused.output


def test_without_a_cluster_block_a_galera_node_is_still_checked(gproject: GaleraProject) -> None:
    """The environment names one node only: its members come from the node itself."""
    gproject.write_envs(cluster=False)
    node2 = gproject.nodes[1]
    node_query(node2, "SET GLOBAL wsrep_desync = ON")
    try:
        refused = gproject.cli("plan", "g1")
    finally:
        node_query(node2, "SET GLOBAL wsrep_desync = OFF")
    assert refused.code == 3, refused.output
    assert f"node node2 (127.0.0.1:{node2.port}) is desynced" in refused.output
    assert gproject.cli("plan", "g1").code == 0


@pytest.mark.slow
def test_a_stopped_node_makes_plan_refuse_naming_it(gproject: GaleraProject) -> None:
    node3 = gproject.nodes[2]
    sandbox_galera.stop_node(sandbox_galera.default_dir(REPO), 3)
    wait_for(
        lambda: node_query(gproject.nodes[0], "SHOW STATUS LIKE 'wsrep_cluster_size'")[0][1] == "2"
    )
    refused = gproject.cli("plan", "g1")
    assert refused.code == 3, refused.output
    assert f"node 127.0.0.1:{node3.port} cannot be reached" in refused.output
    assert "the cluster has 2 members, 3 expected" in refused.output
    applied = gproject.cli("apply", "g2", "--auto-approve")
    assert applied.code == 3, applied.output
    assert gproject.on(2).query("SHOW TABLES LIKE 'items'") == []
