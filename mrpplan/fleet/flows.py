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
    view = screen.view(as_json)
    print_fleet(view, fleet, show_sql=screen.verbose)
    if not fleet.has_changes:
        view.print(f"Nothing to do: every database of {env.name} is already as asked.")
    return _apply(
        project, env, screen, fleet, request, ask, from_file=False, as_json=as_json, wiring=wiring
    )


def apply_fleet_file(
    project: Project,
    env: Environment,
    screen: Screen,
    fleet: FleetPlan,
    path: str,
    request: Request,
    ask: Ask,
    as_json: bool,
    *,
    wiring: Wiring,
) -> int:
    """`mrpplan apply FLEET_PLAN_FILE`: nothing in the file is trusted; each section is
    checked (seal, target, rebuilt under its lock) by the executor as a single plan is."""
    view = screen.view(as_json)
    print_fleet(view, fleet, path=path)
    if not fleet.has_changes:
        clear(env, [], request, ask=ask, sealed=fleet)
        view.print("Nothing to apply: the plan has no changes (applied as a no-op).")
    return _apply(
        project, env, screen, fleet, request, ask, from_file=True, as_json=as_json, wiring=wiring
    )


def _apply(
    project: Project,
    env: Environment,
    screen: Screen,
    fleet: FleetPlan,
    request: Request,
    ask: Ask,
    *,
    from_file: bool,
    as_json: bool,
    wiring: Wiring,
) -> int:
    """Approve and apply, then the per-database table (on stderr under --json, where stdout
    holds only the JSON document); the fleet's exit code. With no changes only --json
    prints."""
    if not fleet.has_changes and not as_json:
        return 0
    if fleet.has_changes:
        members = [(member.env, section) for member, section in fleet_members(env, fleet)]
        clear(env, members, request, ask=ask, sealed=fleet if from_file else None)
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
