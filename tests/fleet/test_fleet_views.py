"""The views of a 500-database fleet plan stay readable (no server needed)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

from rich.console import Console

from mrpplan.fleet.render import print_fleet, render_fleet_markdown
from mrpplan.plan.fleet_planfile import dumps, loads, with_digest
from mrpplan.plan.fleet_types import FleetPlan
from mrpplan.plan.kinds import KINDS
from mrpplan.plan.types import Desired, Plan, Prior, Step, Target


def _step(step_id: str, action: str, *fields: Any, **named: Any) -> Step:
    """A numbered step of the kind `action` names (the plan file's order of fields)."""
    return Step(KINDS[action], *fields, **named, id=step_id)


def _hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _section(number: int, steps: tuple[Step, ...], version: str) -> Plan:
    return Plan(
        environment="tenants",
        target=Target("127.0.0.1", 3306, f"tenant_{number:03d}", "mariadb", "10.11.6-MariaDB"),
        created_at="2026-11-26T03:00:00Z",
        prior=Prior(_hex(f"prior{number}"), version),
        desired=Desired("004", _hex("sources"), _hex("desired")),
        steps=steps,
        origin={"builder": "converge"},
    )


def _fleet() -> FleetPlan:
    up = _step(
        "1",
        "migrate_up",
        "004_unique_currency_name",
        sql=("ALTER TABLE currencies ADD UNIQUE KEY uq_currencies_name (name)",),
        reverse_sql=("ALTER TABLE currencies DROP KEY uq_currencies_name",),
        reason="apply migration 004",
    )
    extra = replace(up, id="2", object="003_mrp_enhancements", reason="apply migration 003")
    sections = [_section(n, (up,), "003") for n in range(497)]
    sections += [_section(497, (up, extra), "002"), _section(498, (up, extra), "002")]
    sections.append(_section(499, (), "004"))
    return FleetPlan("tenants", "2026-11-26T03:00:00Z", tuple(sections), {"builder": "x"})


def test_five_hundred_databases_grouped() -> None:
    fleet = _fleet()
    console = Console(width=120, record=True, no_color=True)
    print_fleet(console, fleet)
    text = console.export_text()
    assert "Group 1: 1 step(s) on 497 databases (schema version: 003 -> 004)" in text
    assert "tenant_000, tenant_001" in text and "and 485 more" in text
    assert "Group 2: 2 step(s) on 2 databases" in text
    assert "No changes on 1 database(s): tenant_499" in text
    assert "497 share group 1's steps; 2 differ: tenant_497, tenant_498." in text
    assert text.count("migrate_up") == 3  # each distinct step list once
    assert len(text.splitlines()) < 40

    parts = render_fleet_markdown(fleet)
    assert len(parts) == 1 and len(parts[0]) < 20_000
    assert "| 1 | 497 | schema version: 003 -> 004 | 1 |" in parts[0]
    assert "`tenant_496`" in parts[0]  # every name, in a collapsed block
    assert parts[0].count("<details><summary>SQL of step") == 3


def test_the_seal_covers_every_section(monkeypatch) -> None:
    monkeypatch.setenv("MRPPLAN_PLAN_KEY", "k")
    sealed = with_digest(_fleet())
    text = dumps(sealed)
    assert loads(text, json.loads(text), "plan") == sealed
    edited = text.replace("tenant_250", "tenant_25X")
    try:
        loads(edited, json.loads(edited), "plan")
    except Exception as exc:
        assert "edited" in str(exc)
    else:
        raise AssertionError("an edited section was accepted")
