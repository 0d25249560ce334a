"""A failing database is rolled back; the canary's failure stops the rest; a re-plan after
a partial apply covers only what still differs."""

from __future__ import annotations

from pathlib import Path

import pytest
from dbtools import run_cli
from fleet_support import (
    Tenants,
    at_latest_with_new_migration,
    recorded_version,
    sections,
    set_preflight,
    snapshot,
)


def _violate(tenants: Tenants, index: int, root: Path) -> None:
    """Two currencies with one name: the new UNIQUE key fails on this tenant only (with
    pre-flight checks off: these tests are about the rollback when a statement fails)."""
    set_preflight(root, "{enabled: false}")
    tenants.databases[index].execute(
        "INSERT INTO currencies (currency_code, name) VALUES ('AAA', 'Same'), ('BBB', 'Same')"
    )


def test_canary_failure_stops_the_rest_with_nothing_touched(make_fleet, project) -> None:
    root: Path = project.root
    tenants = at_latest_with_new_migration(make_fleet, root, 4, parallel=4, canary=1)
    _violate(tenants, 0, root)  # the first database is the canary
    before = {db.name: snapshot(db) for db in tenants.databases}
    plan_file = root / "plans" / "unique.json"
    planned = run_cli("plan", "tenants", "--out", str(plan_file))
    assert planned.code == 0, planned.output
    assert "on 4 databases" in planned.stdout

    applied = run_cli("apply", str(plan_file), "--auto-approve")

    assert applied.code == 1, applied.output
    canary = tenants.databases[0].name
    assert f"{canary} (canary): ROLLED BACK" in applied.stderr
    assert "Duplicate entry 'Same'" in applied.stderr
    assert "Fleet apply: 1 rolled back, 3 not started." in applied.stdout
    for db in tenants.databases:  # the canary rolled back, the others never started
        assert snapshot(db) == before[db.name], db.name
        assert recorded_version(db) == "003"


@pytest.mark.parametrize("parallel", [1, pytest.param(3, marks=pytest.mark.slow)])
def test_failure_in_the_middle_then_replan_covers_only_the_rest(
    make_fleet, project, parallel: int
) -> None:
    root: Path = project.root
    tenants = at_latest_with_new_migration(make_fleet, root, 6, parallel=parallel, canary=1)
    _violate(tenants, 2, root)
    bad = tenants.databases[2]
    before = {db.name: snapshot(db) for db in tenants.databases}
    plan_file = root / "plans" / "unique.json"
    assert run_cli("plan", "tenants", "--out", str(plan_file)).code == 0

    applied = run_cli("apply", str(plan_file), "--auto-approve")

    assert applied.code == 1, applied.output
    assert f"{bad.name}: ROLLED BACK" in applied.stderr
    assert snapshot(bad) == before[bad.name]  # rolled back: as it was
    versions = {db.name: recorded_version(db) for db in tenants.databases}
    assert versions[tenants.databases[0].name] == "004"  # the canary
    assert versions[tenants.databases[1].name] == "004"
    assert versions[bad.name] == "003"
    for db in tenants.databases:  # each is either done or exactly as it was
        assert versions[db.name] == "004" or snapshot(db) == before[db.name], db.name
    if parallel == 1:
        assert [versions[db.name] for db in tenants.databases[3:]] == ["003"] * 3
        assert "Fleet apply: 2 applied, 1 rolled back, 3 not started." in applied.stdout
    pending = {name for name, version in versions.items() if version == "003"}

    # fix the data; a new plan covers only the databases not yet at 004
    bad.execute("UPDATE currencies SET name = 'Other' WHERE currency_code = 'BBB'")
    replan = root / "plans" / "rest.json"
    assert run_cli("plan", "tenants", "--out", str(replan)).code == 0
    changing = {name for name, steps in sections(replan).items() if steps}
    assert changing == pending
    rest = run_cli("apply", str(replan), "--auto-approve")
    assert rest.code == 0, rest.output
    assert f"Fleet apply: {len(pending)} applied, {6 - len(pending)} unchanged." in rest.stdout
    assert {recorded_version(db) for db in tenants.databases} == {"004"}
