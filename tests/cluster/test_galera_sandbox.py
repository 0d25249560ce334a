"""`mrpplan sandbox up --galera 3` and `sandbox status --galera`, as a user runs them."""

from __future__ import annotations

from dbtools import REPO, run_cli
from galera_support import GaleraProject, node_query

from mrpplan import sandbox


def test_sandbox_up_galera_reuses_the_synced_cluster(gproject: GaleraProject) -> None:
    """(gproject: its turn on the cluster, which other tests stop and desync)"""
    galera = gproject.nodes
    env = {"MRPPLAN_SANDBOX_DIR": str(sandbox.default_dir(REPO))}
    up = run_cli("sandbox", "up", "--galera", "3", env=env, cwd=REPO)
    assert up.code == 0, up.output
    assert "Galera cluster of 3 nodes: all Synced" in up.output
    for info in galera:
        assert f"127.0.0.1:{info.port}" in up.output
        assert node_query(info, "SHOW STATUS LIKE 'wsrep_local_state_comment'")[0][1] == "Synced"
        assert node_query(info, "SHOW STATUS LIKE 'wsrep_cluster_size'")[0][1] == "3"
    listed = run_cli("sandbox", "status", "--galera", env=env, cwd=REPO)
    assert listed.code == 0, listed.output
    assert listed.output.count("running on 127.0.0.1:") == 3
