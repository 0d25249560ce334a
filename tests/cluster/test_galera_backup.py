"""Backup and restore through Galera nodes: the dump runs on the chosen node, desynced
while it dumps, and the manifest records the cluster position; the restore's swap runs
under TOI and reaches every node."""

from __future__ import annotations

import json
import threading

from galera_support import GaleraProject, node_query


def test_backup_from_a_chosen_node_and_restore_through_another(
    gproject: GaleraProject,
) -> None:
    assert gproject.cli("apply", "g1", "--auto-approve").code == 0
    gproject.on(1).execute("INSERT INTO items (name, qty) VALUES ('bolt', 3), ('nut', 5)")
    before = gproject.on(3).snapshot()
    gproject.write_envs(backup_node=3)
    backup_dir = gproject.root / "database" / "backups"
    made = gproject.cli("backup", "g1", "--auto")
    assert made.code == 0, made.output
    [manifest_file] = backup_dir.glob("*.manifest.json")
    manifest = json.loads(manifest_file.read_text())
    node3 = gproject.nodes[2]
    state_uuid = node_query(node3, "SHOW STATUS LIKE 'wsrep_cluster_state_uuid'")[0][1]
    assert manifest["cluster"]["node"] == "node3"
    assert manifest["cluster"]["node_address"] == f"127.0.0.1:{node3.port}"
    assert manifest["cluster"]["cluster_state_uuid"] == state_uuid
    assert int(manifest["cluster"]["last_committed"]) > 0
    assert node_query(node3, "SHOW VARIABLES LIKE 'wsrep_desync'")[0][1] == "OFF"

    gproject.on(2).execute("DELETE FROM items WHERE name = 'nut'", "UPDATE items SET qty = 9")
    restored = gproject.cli(
        "restore", "g2", manifest_file.name[: -len(".manifest.json")], "--auto-approve"
    )
    assert restored.code == 0, restored.output
    for node in (1, 2, 3):
        assert gproject.on(node).snapshot() == before


def test_a_backup_of_a_chosen_node_while_another_node_takes_writes_verifies(
    gproject: GaleraProject,
) -> None:
    """The checksums come from the node that is dumped, in the dump's point in time: rows
    committed through node 1 all along reach node 3 at their own pace, and the file and
    its manifest still agree (a deep verify loads it and compares)."""
    assert gproject.cli("apply", "g1", "--auto-approve").code == 0
    gproject.write_envs(backup_node=3)
    stop = threading.Event()

    def writes() -> None:
        conn = gproject.on(1).connect()
        with conn.cursor() as cur:
            while not stop.is_set():
                cur.execute("INSERT INTO items (name, qty) VALUES ('washer', 1)")
        conn.close()

    writer = threading.Thread(target=writes, daemon=True)
    writer.start()
    try:
        made = [gproject.cli("backup", "g1", "--auto") for _ in range(2)]
    finally:
        stop.set()
        writer.join()
    assert all(m.code == 0 for m in made), [m.output for m in made]
    for backup in sorted((gproject.root / "database" / "backups").glob("*.sql.gz")):
        verified = gproject.cli("backup", "--verify", str(backup), "--deep")
        assert verified.code == 0, verified.output
