"""Applies on the real three-node Galera sandbox: they converge on every node, the apply
lock holds across nodes, and an apply running through another node is never called
interrupted (issue 27)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from galera_support import SCHEMA, GaleraProject, wait_for

WIDER = (
    SCHEMA.replace(
        "qty INT NOT NULL DEFAULT 0\n", "qty INT NOT NULL DEFAULT 0,\n    note VARCHAR(20) NULL\n"
    )
    + "\nCREATE TABLE bins (\n    id INT NOT NULL PRIMARY KEY\n) ENGINE=InnoDB;\n"
)


def _base(gproject: GaleraProject) -> None:
    done = gproject.cli("apply", "g1", "--auto-approve")
    assert done.code == 0, done.output
    gproject.on(1).execute("INSERT INTO items (name, qty) VALUES ('bolt', 3), ('nut', 5)")


def _paused_apply(
    gproject: GaleraProject, env: str, resume: Path, lease: float | None = None
) -> tuple[object, str]:
    """A saved two-step plan, applied in the background and paused after its first step."""
    gproject.schema(WIDER)
    out = gproject.root / "plans" / "wider.json"
    planned = gproject.cli("plan", env, "--out", str(out))
    assert planned.code == 0, planned.output
    first = json.loads(out.read_text())["steps"][0]["id"]
    process = gproject.start(
        "apply",
        str(out),
        "--auto-approve",
        extra={
            "MRPPLAN_TEST_PAUSE_AFTER_STEP": first,
            "MRPPLAN_TEST_RESUME_FILE": str(resume),
            "MRPPLAN_TEST_PAUSE_SECONDS": "120",
            **({"MRPPLAN_CLUSTER_LEASE_SECONDS": str(lease)} if lease else {}),
        },
    )
    return process, first


def _journal_started(gproject: GaleraProject, node: int) -> bool:
    rows = gproject.on(node).query(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
        "AND table_name = 'mrpplan_apply_journal'"
    )
    if not rows[0][0]:
        return False
    done = gproject.on(node).query(
        "SELECT COUNT(*) FROM mrpplan_apply_journal WHERE step_id <> 'plan' AND status = 'done'"
        " AND apply_id = (SELECT apply_id FROM mrpplan_apply_journal WHERE step_id = 'plan' "
        "AND status = 'started' ORDER BY id DESC LIMIT 1)"
    )
    return bool(done[0][0])


def test_apply_converges_on_every_node_with_equal_fingerprints(gproject: GaleraProject) -> None:
    _base(gproject)
    gproject.schema(WIDER)
    done = gproject.cli("apply", "g2", "--auto-approve")
    assert done.code == 0, done.output
    assert "all 3 nodes have the same fingerprint" in done.output
    snapshots = [gproject.on(n).snapshot() for n in (1, 2, 3)]
    assert snapshots[0] == snapshots[1] == snapshots[2]
    assert "`note` varchar(20)" in snapshots[2]["items"][0]
    assert "bins" in snapshots[2]


def test_two_applies_through_two_nodes_one_is_refused(
    gproject: GaleraProject, tmp_path: Path
) -> None:
    _base(gproject)
    resume = tmp_path / "resume"
    # a 2 s lease, renewed while the apply waits: still held when the second apply comes
    first, _ = _paused_apply(gproject, "g1", resume, lease=2)
    try:
        wait_for(lambda: _journal_started(gproject, 2), timeout=120)
        time.sleep(3)
        # the first apply's journal row has replicated to node 2: it is running, not
        # interrupted, so plan says nothing of recover, and a second apply is refused
        planned = gproject.cli("plan", "g2")
        assert "interrupted" not in planned.output, planned.output
        second = gproject.cli("apply", "g2", "--auto-approve")
        assert second.code == 3, second.output
        assert "another apply is running" in second.output
        assert "through another node" in second.output
        assert "recover" not in second.output.split("Hint")[0]
    finally:
        resume.touch()
        out, err = first.communicate(timeout=300)
    assert first.returncode == 0, out + err
    assert gproject.on(2).snapshot() == gproject.on(1).snapshot()
    assert "bins" in gproject.on(3).snapshot()


def test_an_apply_that_lost_its_lease_stops_before_its_next_step(
    gproject: GaleraProject, tmp_path: Path
) -> None:
    """Its node could not renew the lease in time and another apply took the lock (played
    here by rewriting the row through node 2): the apply stops and undoes what it did."""
    _base(gproject)
    before = gproject.on(1).snapshot()
    resume = tmp_path / "resume"
    first, _ = _paused_apply(gproject, "g1", resume, lease=2)
    try:
        wait_for(lambda: _journal_started(gproject, 2), timeout=120)
        gproject.on(2).execute(
            "UPDATE _mrpplan_cluster.apply_lock SET token = REPEAT('f', 32) "
            f"WHERE lock_name = 'mrpplan:{gproject.db.name}'"
        )
        time.sleep(2)  # the renewer (every 2/3 s) finds its row taken
    finally:
        resume.touch()
        out, err = first.communicate(timeout=300)
    assert first.returncode == 1, out + err
    assert "lost the cluster lock" in out + err
    gproject.on(2).execute(
        f"DELETE FROM _mrpplan_cluster.apply_lock WHERE lock_name = 'mrpplan:{gproject.db.name}'"
    )
    assert gproject.on(2).snapshot() == before
