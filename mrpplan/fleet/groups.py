"""Databases with identical step lists, shown once: what makes a 500-database plan readable.

Two sections are in the same group when their steps are the same (SQL, reverse SQL, flags,
reasons) and they go from the same version to the same version. A `create_database` step
names its database, so only its action counts.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from mrpplan.plan.fleet_types import FleetPlan, section_key
from mrpplan.plan.types import Plan, Step


@dataclass(frozen=True)
class Group:
    """One step list and the databases it applies to (first one as the example)."""

    sections: tuple[Plan, ...]

    @property
    def example(self) -> Plan:
        return self.sections[0]

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.example.steps

    @property
    def databases(self) -> list[str]:
        return [section_name(p, self.sections) for p in self.sections]


def groups_of(fleet: FleetPlan) -> list[Group]:
    """The changing sections grouped, biggest group first (then in member order)."""
    buckets: dict[Hashable, list[Plan]] = {}
    for section in fleet.changing:
        buckets.setdefault(signature(section), []).append(section)
    ordered = sorted(buckets.values(), key=lambda b: -len(b))
    return [Group(tuple(bucket)) for bucket in ordered]


def unchanged(fleet: FleetPlan) -> list[Plan]:
    return [p for p in fleet.sections if not p.has_changes]


def signature(plan: Plan) -> Hashable:
    return (
        plan.prior.schema_version,
        plan.desired.schema_version,
        tuple(_step_signature(step) for step in plan.steps),
    )


def _step_signature(step: Step) -> Hashable:
    if step.action == "create_database":
        return (step.id, step.action)
    return (
        step.id,
        step.action,
        step.object,
        step.sql,
        step.reverse_sql,
        step.destructive,
        step.reason,
        step.algorithm,
        step.checkpoint,
    )


def section_name(plan: Plan, among: tuple[Plan, ...] | list[Plan]) -> str:
    """The database name, with its server when the fleet spans several servers."""
    hosts = {(p.target.host, p.target.port) for p in among}
    return section_key(plan) if len(hosts) > 1 else plan.target.database


def name_list(names: list[str], limit: int) -> str:
    """'a, b, c and 17 more' (all of them when `limit` allows)."""
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"
