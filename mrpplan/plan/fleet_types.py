"""A fleet plan as plain data: one `Plan` section per database, sealed as one file.

Each section is exactly the plan `make_plan` makes for that one database (its own target,
prior fingerprint, steps, checkpoints and digest), so the one executor applies it as it
applies any plan. The fleet only adds what belongs to all of them: who asked, when, and
a seal over the whole file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mrpplan import __version__
from mrpplan.plan.types import FORMAT_VERSION, Plan, Summary

FLEET_KIND = "fleet"


@dataclass(frozen=True)
class FleetPlan:
    """One plan for every database of a fleet, a section each."""

    environment: str
    created_at: str
    sections: tuple[Plan, ...]
    origin: Mapping[str, Any] = field(default_factory=dict)
    mrpplan_version: str = __version__
    format_version: int = FORMAT_VERSION
    seal: str = ""
    digest: str = ""

    @property
    def keyed(self) -> bool:
        return self.seal == "hmac-sha256"

    @property
    def changing(self) -> tuple[Plan, ...]:
        """The sections that have something to do."""
        return tuple(p for p in self.sections if p.has_changes)

    @property
    def has_changes(self) -> bool:
        return bool(self.changing)

    @property
    def summary(self) -> Summary:
        """Step counts over every database."""
        totals = [p.summary for p in self.sections]
        return Summary(
            add=sum(s.add for s in totals),
            change=sum(s.change for s in totals),
            destroy=sum(s.destroy for s in totals),
            data=sum(s.data for s in totals),
        )

    @property
    def destructive_steps(self) -> int:
        return sum(len(p.destructive_steps) for p in self.sections)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Each distinct warning once (they are usually the same on every database)."""
        return tuple(dict.fromkeys(w for p in self.sections for w in p.warnings))


def section_key(plan: Plan) -> str:
    """host:port/database of a section: unique in a fleet."""
    where = plan.target.host + (f":{plan.target.port}" if plan.target.port else "")
    return f"{where}/{plan.target.database}"
