"""`mrpplan apply` on a fleet: show the plan, the one sequence before an apply for every
section (`apply/gate.py`, the approval asked once for the whole fleet), then each database
through the one executor (`fleet/runner.py`)."""

from __future__ import annotations

import json

from rich.text import Text

from mrpplan.apply.approval import Ask, Request
from mrpplan.apply.gate import clear
from mrpplan.config import Environment, Project
from mrpplan.fleet.render import print_fleet, print_result
from mrpplan.fleet.runner import apply_fleet, fleet_members
from mrpplan.plan.fleet_planfile import with_digest
from mrpplan.plan.fleet_types import FleetPlan
from mrpplan.plan.providers import Wiring
from mrpplan.plan.screen import Screen


def apply_fleet_env(
    project: Project,
    env: Environment,
    screen: Screen,
    request: Request,
    ask: Ask,
    as_json: bool,
    *,
    wiring: Wiring,
) -> int:
    """`mrpplan apply FLEET_ENV`: plan, show, ask once, apply (each database under its lock,
    refused there if it changed since it was planned); the exit code."""
    from mrpplan.fleet.planner import make_fleet_plan

    fleet = with_digest(make_fleet_plan(project, env, wiring=wiring, progress=screen.progress()))
    return apply_fleet_file(project, env, screen, fleet, None, request, ask, as_json, wiring=wiring)


def apply_fleet_file(
    project: Project,
    env: Environment,
    screen: Screen,
    fleet: FleetPlan,
    path: str | None,
    request: Request,
    ask: Ask,
    as_json: bool,
    *,
    wiring: Wiring,
) -> int:
    """`mrpplan apply FLEET_PLAN_FILE` (`path`; None: planned just now): nothing in a file
    is trusted; each section is checked (seal, target, rebuilt under its lock) by the
    executor as a single plan is. Approve and apply, then the per-database table (on stderr
    under --json, where stdout holds only the JSON document); the fleet's exit code. With
    no changes only --json prints."""
    view = screen.view(as_json)
    print_fleet(view, fleet, show_sql=path is None and screen.verbose, path=path)
    from_file = path is not None
    if fleet.has_changes:
        members = [(member.env, section) for member, section in fleet_members(env, fleet)]
        clear(env, members, request, ask=ask, sealed=fleet if from_file else None)
    elif from_file:
        clear(env, [], request, ask=ask, sealed=fleet)
        view.print("Nothing to apply: the plan has no changes (applied as a no-op).")
    else:
        view.print(f"Nothing to do: every database of {env.name} is already as asked.")
    if not fleet.has_changes and not as_json:
        return 0
    changing = len(fleet.changing)
    if changing:
        screen.err.print(
            Text(
                f"Applying to {changing} database(s): canary {min(env.fleet.canary, changing)} "
                f"first, then {env.fleet.parallel} at a time.",
                style="dim",
            )
        )
    result = apply_fleet(
        project,
        env,
        fleet,
        from_file=from_file,
        wiring=wiring,
        progress=lambda line: screen.err.print(Text(line)),
        step_progress=screen.progress() if screen.verbose else None,
    )
    if changing:
        print_result(screen.view(as_json), env, result)
    if as_json:
        screen.document(json.dumps(result.document(env.name), indent=2))
    return result.exit_code
