"""`apply` never trusts a plan file: it builds the plan again and compares (DESIGN §3.7).

Every plan records how it was asked for (`origin`: which builder, with which arguments).
Under the apply lock, with the database unchanged since the plan was made (not stale), the
same builder run with the same arguments and the plan's own timestamp must give the same
steps: the same SQL, the same reverse SQL, the same destructive flags and checkpoints.
A migration step therefore equals its file in the project, a seed step its seed file, and
a declarative step what mrpplan renders; anything edited, added or re-flagged is refused,
naming the step, before anything runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mrpplan.config import Environment, Project
from mrpplan.errors import ConfigError, MrpplanError, Refused, UsageError
from mrpplan.plan.kinds import CREATE_TABLE, OnlineRoute
from mrpplan.plan.types import Plan, Step
from mrpplan.units import count

if TYPE_CHECKING:
    from mrpplan.plan.providers import Wiring

# A kind of plan (`converge`, `restore`, `purge_trash`, ...) and how to build it again;
# the builders are listed in mrpplan/wiring.py.
Builder = Callable[[Project, Environment, Mapping[str, Any], datetime, "Wiring"], Plan]


def build(
    project: Project, env: Environment, origin: Mapping[str, Any], now: datetime, wiring: Wiring
) -> Plan:
    """Build the plan `origin` describes, as of `now`."""
    name = str(origin.get("builder", ""))
    builder = wiring.builders.get(name)
    if builder is None:
        raise Refused(
            f"this plan says it was made by {name or 'an unknown command'!r}, which this "
            "mrpplan does not know: it cannot be checked. Nothing was changed.",
            hint="make a new plan with this version of mrpplan",
        )
    return builder(project, env, origin, now, wiring)


def check_rebuilt(project: Project, env: Environment, plan: Plan, wiring: Wiring) -> None:
    """Refuse (exit 3) unless mrpplan, asked the same thing now, makes the same steps."""
    if not plan.origin:
        raise Refused(
            "this plan file does not say how it was made (no `origin`), so its steps cannot "
            "be checked against the project. Nothing was changed.",
            hint=f"make a new plan: mrpplan plan {plan.environment}",
        )
    try:
        fresh = build(project, env, plan.origin, created_at(plan), wiring)
    except (ConfigError, UsageError, ValueError, TypeError, KeyError, AttributeError) as exc:
        why = exc.message if isinstance(exc, MrpplanError) else f"{type(exc).__name__}: {exc}"
        raise Refused(
            f"this plan's origin ({dict(plan.origin)}) cannot be made again: {why}. "
            "Nothing was changed.",
            hint=f"make a new plan: mrpplan plan {plan.environment}",
        ) from None
    problem = first_difference(plan, fresh)
    if problem:
        raise Refused(
            f"{problem}: the plan file does not match what mrpplan makes from the project "
            "and the database now (edited, or made from other files). Nothing was changed.",
            hint=f"make a new plan: mrpplan plan {plan.environment}",
        )


def first_difference(plan: Plan, fresh: Plan) -> str | None:
    """The first step (or total) in which the file differs from the rebuilt plan."""
    for mine, theirs in zip(plan.steps, fresh.steps, strict=False):
        field = _differing_field(mine, theirs)
        if field:
            return f"step {mine.id} ({mine.action} {mine.object}) differs in its {field}"
    if len(plan.steps) > len(fresh.steps):
        step = plan.steps[len(fresh.steps)]
        return f"step {step.id} ({step.action} {step.object}) is not one mrpplan would make"
    if len(plan.steps) < len(fresh.steps):
        return (
            f"the plan has {count(len(plan.steps), 'step')} where mrpplan makes {len(fresh.steps)}"
        )
    if plan.desired != fresh.desired:
        return "its desired state (schema version, sources or fingerprint)"
    if _checks(plan) != _checks(fresh):
        return "its pre-flight checks (which rows each step needs to be checked for)"
    return None


def _checks(plan: Plan) -> list[tuple[str, str, Any]]:
    return [(f.step, f.database, f.check) for f in plan.preflight]


_COMPARED = (
    "action",
    "object",
    "sql",
    "reverse_sql",
    "destructive",
    "checkpoint",
    "algorithm",
    "changes",
    "lock",
)


def _differing_field(mine: Step, theirs: Step) -> str | None:
    if mine.id != theirs.id:
        return "id"
    for name in _COMPARED:
        if name == "sql" and mine.kind is CREATE_TABLE:
            if not _same_tables(mine.sql, theirs.sql):
                return "SQL"
            continue
        if getattr(mine, name) != getattr(theirs, name):
            return {"sql": "SQL", "reverse_sql": "reverse SQL"}.get(name, name)
    # what the live table's size says is not compared: a plan stays valid while rows are
    # written (the route itself, online or not, is)
    if _online_route(mine) != _online_route(theirs):
        return "online schema change (tool, foreign key method, trash table)"
    if _ESTIMATE.sub("about N rows", mine.reason) != _ESTIMATE.sub("about N rows", theirs.reason):
        return "reason (the text reviewers read)"
    return None


# row counts in a reason are the server's estimates (information_schema.TABLES), which
# drift between planning and applying without anything changing: they are not compared
_ESTIMATE = re.compile(r"about [0-9][0-9,]* rows")


def _online_route(step: Step) -> OnlineRoute | None:
    return replace(step.online, rows=None, estimate_seconds=None) if step.online else None


def _same_tables(mine: tuple[str, ...], theirs: tuple[str, ...]) -> bool:
    """CREATE TABLE statements are the same table when their structure is (columns in
    order, keys by name, clustered-index candidates in order): the verbatim text may list
    secondary keys in another order depending on how the desired schema was cached."""
    from mrpplan.model.canonical import canonical_table_text

    if len(mine) != len(theirs):
        return False
    for a, b in zip(mine, theirs, strict=True):
        if a == b:
            continue
        try:
            if canonical_table_text(a) != canonical_table_text(b):
                return False
        except Exception:
            return False
    return True


def created_at(plan: Plan) -> datetime:
    return datetime.strptime(plan.created_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
