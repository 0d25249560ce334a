"""A fleet of 20 tenant databases at mixed versions converges with one plan."""

from __future__ import annotations

from pathlib import Path

from dbtools import run_cli
from fleet_support import recorded_version, sections, write_fleet_env


def test_twenty_databases_at_mixed_versions_converge(make_fleet, project, server) -> None:
    tenants = make_fleet(20, parallel=4, canary=1)
    root: Path = project.root
    # every tenant to 001 with one fleet apply (plan, show, apply in one go)
    first = run_cli("apply", "tenants", "--auto-approve", env={"TENANTS_SCHEMA_VERSION": "001"})
    assert first.code == 0, first.output
    assert "Fleet apply: 20 applied." in first.stdout
    assert {recorded_version(db) for db in tenants.databases} == {"001"}
    # seven of them on to 002, through a `databases:` list environment
    some = [db.name for db in tenants.databases[3:10]]
    write_fleet_env(root, "some", [(server, "")], databases=some, version="002")
    second = run_cli("apply", "some", "--auto-approve")
    assert second.code == 0, second.output
    assert [recorded_version(db) for db in tenants.databases].count("002") == 7

    # one plan for the whole fleet at mixed versions: two distinct step lists
    plan_file = root / "plans" / "tenants.json"
    planned = run_cli("plan", "tenants", "--out", str(plan_file), "--detailed-exitcode")
    assert planned.code == 2, planned.output
    assert "Group 1: " in planned.stdout and "on 13 databases" in planned.stdout
    assert "Group 2: " in planned.stdout and "on 7 databases" in planned.stdout
    assert "Fleet: 20 of 20 database(s) change (2 distinct step lists)" in planned.stdout
    assert len(sections(plan_file)) == 20
    markdown = run_cli("show", str(plan_file), "--markdown")
    assert markdown.code == 0, markdown.output
    assert "| Group | Databases |" in markdown.stdout and "20 database" not in markdown.stderr

    applied = run_cli("apply", str(plan_file), "--auto-approve")
    assert applied.code == 0, applied.output
    assert "Fleet apply: 20 applied." in applied.stdout
    assert "[20/20]" in applied.stderr  # progress: done out of total
    assert {recorded_version(db) for db in tenants.databases} == {"003"}

    again = run_cli("plan", "tenants", "--detailed-exitcode")
    assert again.code == 0, again.output
    assert "No changes on 20 database(s)" in again.stdout
