"""The fleet plan file: sealed as a whole, each section checked like a single plan."""

from __future__ import annotations

import json
from pathlib import Path

from dbtools import run_cli
from fleet_support import sections, snapshot


def test_edited_fleet_plan_is_refused_and_protected_needs_a_key(make_fleet, project) -> None:
    root: Path = project.root
    tenants = make_fleet(2)
    plan_file = root / "plans" / "fleet.json"
    planned = run_cli("plan", "tenants", "--out", str(plan_file), "--json")
    assert planned.code == 0, planned.output
    assert json.loads(planned.stdout)["summary"]["databases"] == 2
    assert set(sections(plan_file)) == {db.name for db in tenants.databases}

    edited = root / "plans" / "edited.json"
    document = json.loads(plan_file.read_text())
    document["sections"][1]["steps"][0]["sql"] = ["DROP DATABASE mysql"]
    edited.write_text(json.dumps(document, indent=2) + "\n")
    refused = run_cli("apply", str(edited), "--auto-approve")
    assert refused.code == 3, refused.output
    assert "edited" in refused.stderr

    unkeyed = root / "plans" / "unkeyed.json"
    assert run_cli("plan", "tenants", "--out", str(unkeyed), env={"MRPPLAN_PLAN_KEY": ""}).code == 0
    env_file = root / "environments" / "tenants.yaml"
    env_file.write_text(env_file.read_text().replace("protected: false", "protected: true"))
    refused = run_cli("apply", str(unkeyed), "--auto-approve", env={"MRPPLAN_PLAN_KEY": ""})
    assert refused.code == 3, refused.output
    assert "not sealed with a key" in refused.stderr
    no_terminal = run_cli("apply", "tenants", "--auto-approve")
    assert no_terminal.code == 3, no_terminal.output
    assert "protected" in no_terminal.stderr
    for db in tenants.databases:  # nothing was changed anywhere
        assert snapshot(db) == {}
