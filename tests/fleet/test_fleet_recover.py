"""A fleet apply killed mid-way: each database has its own journal, `recover` rolls back
the interrupted one, and a new plan covers the fleet again."""

from __future__ import annotations

from pathlib import Path

from dbtools import run_cli, start_cli
from fleet_support import (
    at_latest_with_new_migration,
    running_step_done,
    sections,
    snapshot,
    wait_for,
)


def test_killed_fleet_apply_then_recover_per_database(make_fleet, project) -> None:
    root: Path = project.root
    tenants = at_latest_with_new_migration(make_fleet, root, 3, parallel=2, canary=1)
    before = {db.name: snapshot(db) for db in tenants.databases}
    plan_file = root / "plans" / "kill.json"
    assert run_cli("plan", "tenants", "--out", str(plan_file)).code == 0
    canary = tenants.databases[0]
    proc = start_cli(
        "apply",
        str(plan_file),
        "--auto-approve",
        env={"MRPPLAN_TEST_PAUSE_AFTER_STEP": "1", "MRPPLAN_TEST_PAUSE_SECONDS": "600"},
        cwd=root,
    )
    try:
        wait_for(lambda: running_step_done(canary, "1"), "the canary's step 1")
    finally:
        proc.kill()
        proc.wait()
    assert snapshot(canary) != before[canary.name]

    refused = run_cli("plan", "tenants")
    assert refused.code == 3, refused.output
    assert "recover" in refused.stderr and canary.name in refused.stderr

    recovered = run_cli("recover", "tenants")
    assert recovered.code == 0, recovered.output
    assert recovered.stdout.count("rolled back") == 1
    assert recovered.stdout.count("nothing to recover") == 2
    for db in tenants.databases:
        assert snapshot(db) == before[db.name], db.name

    again = root / "plans" / "again.json"
    assert run_cli("plan", "tenants", "--out", str(again)).code == 0
    assert all(steps for steps in sections(again).values())
