"""Pre-flight checks on a fleet (issue 25): a tenant whose rows cannot take a new UNIQUE
key stops `plan` (exit 3) and `apply` before the canary, with nothing touched."""

from __future__ import annotations

import json
from pathlib import Path

from dbtools import run_cli
from fleet_support import (
    Tenants,
    at_latest_with_new_migration,
    recorded_version,
    set_preflight,
    snapshot,
)


def _duplicate_dollars(tenants: Tenants, index: int) -> str:
    db = tenants.databases[index]
    db.execute(
        "INSERT INTO currencies (currency_code, name) VALUES ('USD', 'Dollar'), ('CAD', 'Dollar')"
    )
    return db.name


def _findings_of(plan_file: Path) -> list[dict]:
    document = json.loads(plan_file.read_text())
    return [f for s in document["sections"] for f in s.get("preflight", [])]


def test_plan_refuses_naming_tenant_value_and_count(make_fleet, project) -> None:
    root: Path = project.root
    tenants = at_latest_with_new_migration(make_fleet, root, 5, parallel=2, canary=1)
    bad = _duplicate_dollars(tenants, 3)
    before = {db.name: snapshot(db) for db in tenants.databases}
    plan_file = root / "plans" / "unique.json"

    planned = run_cli("plan", "tenants", "--out", str(plan_file))

    assert planned.code == 3, planned.output
    assert f"{bad}: 2 rows share currencies.name = 'Dollar'" in planned.output
    assert "pre-flight checks failed" in planned.stderr
    findings = _findings_of(plan_file)  # saved, with the findings
    assert len(findings) == 5  # one check per tenant
    failed = [f for f in findings if f["status"] == "failed"]
    assert [(f["database"], f["check"], f["table"], f["columns"]) for f in failed] == [
        (bad, "unique", "currencies", ["name"])
    ]
    assert failed[0]["offenders"] == 2
    assert failed[0]["samples"] == [{"values": ["Dollar"], "rows": 2}]
    assert {f["status"] for f in findings if f["database"] != bad} == {"passed"}
    for db in tenants.databases:  # plan touched no tenant
        assert snapshot(db) == before[db.name], db.name

    # the data fixed, a new plan passes its checks and applies (its checks rebuilt alike)
    tenants.by_name(bad).execute(
        "UPDATE currencies SET name = 'Canadian dollar' WHERE currency_code = 'CAD'"
    )
    replanned = run_cli("plan", "tenants", "--out", str(plan_file))
    assert replanned.code == 0, replanned.output
    assert {f["status"] for f in _findings_of(plan_file)} == {"passed"}
    applied = run_cli("apply", str(plan_file), "--auto-approve")
    assert applied.code == 0, applied.output
    assert {recorded_version(db) for db in tenants.databases} == {"004"}


def test_warn_makes_the_plan_and_apply_refuses_before_the_canary(make_fleet, project) -> None:
    root: Path = project.root
    tenants = at_latest_with_new_migration(make_fleet, root, 5, parallel=2, canary=1)
    set_preflight(root, "{on_failure: warn}")
    bad = _duplicate_dollars(tenants, 4)  # the last one: the canary and others would go first
    before = {db.name: snapshot(db) for db in tenants.databases}
    plan_file = root / "plans" / "unique.json"

    planned = run_cli("plan", "tenants", "--out", str(plan_file))
    assert planned.code == 0, planned.output
    assert f"pre-flight: {bad}: 2 rows share currencies.name = 'Dollar'" in planned.stdout
    markdown = run_cli("show", str(plan_file), "--markdown")
    assert f"**FAILED**: {bad}: 2 rows share currencies.name = 'Dollar'" in markdown.stdout

    applied = run_cli("apply", str(plan_file), "--auto-approve")

    assert applied.code == 3, applied.output
    assert "before the canary" in applied.stderr
    assert f"{bad}: 2 rows share currencies.name = 'Dollar'" in applied.stderr
    for db in tenants.databases:  # not even the canary started
        assert snapshot(db) == before[db.name], db.name
        assert recorded_version(db) == "003"


def test_apply_rechecks_rows_written_after_the_plan(make_fleet, project) -> None:
    """A clean plan, then duplicates appear: apply refuses before the canary."""
    root: Path = project.root
    tenants = at_latest_with_new_migration(make_fleet, root, 3, parallel=2, canary=1)
    plan_file = root / "plans" / "unique.json"
    planned = run_cli("plan", "tenants", "--out", str(plan_file))
    assert planned.code == 0, planned.output
    bad = _duplicate_dollars(tenants, 2)
    before = {db.name: snapshot(db) for db in tenants.databases}

    applied = run_cli("apply", str(plan_file), "--auto-approve")

    assert applied.code == 3, applied.output
    assert f"{bad}: 2 rows share currencies.name = 'Dollar'" in applied.stderr
    for db in tenants.databases:
        assert snapshot(db) == before[db.name], db.name
