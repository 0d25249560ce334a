"""A fleet environment + its live databases -> one FleetPlan (a `make_plan` per database).

The desired schema depends on the project's files and the server, not on the database: the
first database is planned alone and builds it (or loads it from the cache); the others,
planned `fleet.parallel` at a time, find it in memory. One timestamp for all, so identical
databases get identical step lists (trash table names included) and the views can group
them.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from mrpplan.config import Environment, Project
from mrpplan.errors import MrpplanError
from mrpplan.fleet.counter import Counter
from mrpplan.fleet.members import Member, expand
from mrpplan.plan.fleet_types import FleetPlan
from mrpplan.plan.planner import make_plan
from mrpplan.plan.providers import Wiring
from mrpplan.plan.types import Plan

Progress = Callable[[str], None]


def make_fleet_plan(
    project: Project,
    env: Environment,
    *,
    wiring: Wiring,
    target_version: str | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> FleetPlan:
    """One section per database the environment names, in member order."""
    say = progress or (lambda _line: None)
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    members = expand(env)
    total = len(members)
    counter = Counter()

    def one(member: Member, report: bool = True) -> Plan | MrpplanError:
        try:
            plan = make_plan(
                project, member.env, wiring=wiring, target_version=target_version, now=moment
            )
        except MrpplanError as exc:
            return exc
        if not report:
            return plan
        done = counter.next()
        if done % max(1, total // 10) == 0 or done == total:
            say(f"planned {done}/{total} databases")
        return plan

    results = [one(members[0], report=False)]  # alone: it builds the desired schema once
    counter.next()
    with ThreadPoolExecutor(max_workers=max(1, env.fleet.parallel)) as pool:
        results += list(pool.map(one, members[len(results) :]))
    failed = [(m, r) for m, r in zip(members, results, strict=True) if isinstance(r, MrpplanError)]
    if failed:
        raise planning_error(failed, total)
    return FleetPlan(
        environment=env.name,
        created_at=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        sections=tuple(r for r in results if isinstance(r, Plan)),
        origin={"builder": "fleet_converge", "target_version": target_version or None},
    )


def planning_error(failed: list[tuple[Member, MrpplanError]], total: int) -> MrpplanError:
    """One message naming every database that could not be planned, each distinct reason
    once (a broken migration file fails every database the same way); exit code of the
    first."""
    reasons: dict[str, list[str]] = {}
    for member, error in failed:
        reasons.setdefault(error.message, []).append(member.key)
    lines = [f"{len(failed)} of {total} database(s) could not be planned:"]
    for message, keys in list(reasons.items())[:20]:
        where = keys[0] if len(keys) == 1 else f"{keys[0]} and {len(keys) - 1} more"
        lines.append(f"  {where}: {message}")
    if len(reasons) > 20:
        lines.append(f"  ... and {len(reasons) - 20} other reasons")
    error = MrpplanError(
        "\n".join(lines), unchanged="Nothing was planned or changed.", hint=failed[0][1].hint
    )
    error.exit_code = failed[0][1].exit_code
    return error
