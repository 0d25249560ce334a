"""CLI: plan, show, apply, drift, recover — the product's main job."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from rich.text import Text

from mrpplan.cli.context import AppContext, env_and_json, pass_app, schema_version_value
from mrpplan.config import Environment
from mrpplan.fleet.publish import View, display, emit, publish
from mrpplan.plan.fleet_types import FleetPlan
from mrpplan.plan.render import print_plan
from mrpplan.units import count


def _output_options(command: Callable[..., None]) -> Callable[..., None]:
    """--json, --markdown, --sql: given to the command as one `view`."""

    @functools.wraps(command)
    def with_view(*args: Any, as_json: bool, markdown: bool, show_sql: bool, **kw: Any) -> None:
        if as_json and markdown:
            raise click.UsageError("choose one of --json and --markdown")
        command(*args, view=View(as_json, markdown, show_sql), **kw)

    for option in reversed(
        [
            click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON."),
            click.option("--markdown", is_flag=True, help="Print markdown for a PR comment."),
            click.option("--sql", "show_sql", is_flag=True, help="Show every step's SQL."),
        ]
    ):
        with_view = option(with_view)
    return with_view


@click.command("plan")
@click.argument("env_name", metavar="ENV")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Plan file to write (default: plans/<env>-<UTC timestamp>.json, only for a plan "
    "with changes shown on the console).",
)
@_output_options
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0: no changes, 2: changes.")
@click.option(
    "--target-version",
    callback=schema_version_value,
    help="Schema version to plan for (default: the env file's).",
)
@pass_app
def plan_command(
    app: AppContext,
    env_name: str,
    out: Path | None,
    view: View,
    detailed_exitcode: bool,
    target_version: str | None,
) -> None:
    """Compare ENV's live database with what it should be and write a reviewable plan.

    \b
    Example:
      mrpplan plan prod --out plans/prod.json
      mrpplan apply plans/prod.json
    """
    from mrpplan.wiring import wiring

    env = app.environment(env_name, fleet=True)
    code = publish(
        app.project,
        env,
        app.screen,
        view,
        out=out,
        target_version=target_version,
        detailed_exitcode=detailed_exitcode,
        wiring=wiring(),
    )
    if code:
        sys.exit(code)


@click.command("show")
@click.argument("planfile", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_output_options
@pass_app
def show_command(app: AppContext, planfile: Path, view: View) -> None:
    """Show a saved plan (refuses a plan file that was edited).

    \b
    Example:
      mrpplan show plans/prod-20261124T025834Z.json --markdown
    """
    from mrpplan.plan.fleet_planfile import read_any

    emit(app.screen, read_any(planfile), view, display(planfile))


@click.command("apply")
@click.argument("target", metavar="PLANFILE|ENV")
@click.option(
    "--auto-approve",
    is_flag=True,
    help="Do not ask (a protected environment needs a saved plan file for this).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Fleets: print each database's outcome as JSON (the plan and table go to stderr).",
)
@pass_app
def apply_command(app: AppContext, target: str, auto_approve: bool, as_json: bool) -> None:
    """Apply a saved plan file, or plan ENV, show it, ask, and apply.

    \b
    Example:
      mrpplan apply plans/prod-20260101T120000Z.json
      mrpplan apply local --auto-approve
      mrpplan apply plans/tenants-20260101T120000Z.json --auto-approve --json
    """
    from mrpplan.apply.approval import Request
    from mrpplan.apply.gate import Writing, apply_file, carry_out
    from mrpplan.cli.writing import ask
    from mrpplan.fleet.flows import apply_fleet_env, apply_fleet_file
    from mrpplan.plan.fleet_planfile import read_any
    from mrpplan.plan.planner import make_plan
    from mrpplan.wiring import wiring

    request = Request("apply", skip_questions=auto_approve)
    if not (Path(target).is_file() or target.endswith(".json")):
        env = app.environment(target, fleet=True)
        if env.is_fleet:
            sys.exit(
                apply_fleet_env(
                    app.project, env, app.screen, request, ask, as_json, wiring=wiring()
                )
            )
        _single_database_json(as_json)
        write = Writing(request, ask, wiring())
        build = lambda: make_plan(app.project, env, wiring=write.wiring)  # noqa: E731
        result = carry_out(app.project, env, build, write, app.screen)
        if result is not None:
            _applied(app, env, result.steps_run, result.checkpoints)
        return
    plan = read_any(Path(target))
    request = replace(request, saved_plan=True)
    if isinstance(plan, FleetPlan):
        env = app.environment(plan.environment, fleet=True)
        sys.exit(
            apply_fleet_file(
                app.project, env, app.screen, plan, target, request, ask, as_json, wiring=wiring()
            )
        )
    _single_database_json(as_json)
    env = app.environment(plan.environment)
    print_plan(app.console, plan, path=target)
    result = apply_file(
        app.project, env, plan, request, ask=ask, wiring=wiring(), progress=app.screen.steps()
    )
    if result.noop:
        app.console.print("Nothing to apply: the plan has no changes (applied as a no-op).")
        return
    _applied(app, env, result.steps_run, result.checkpoints)


def _single_database_json(as_json: bool) -> None:
    if as_json:
        raise click.UsageError(
            "apply --json is for fleets (one outcome per database); a single database's "
            "apply says its outcome in its exit code and last line"
        )


def _applied(app: AppContext, env: Environment, steps: list[str], checkpoints: list[str]) -> None:
    app.console.print(
        Text(
            f"\nApply complete: {count(len(steps), 'step')} ran on {env.name} "
            f"({env.connection.database}); it now matches the plan.",
            style="bold green",
        )
    )
    for checkpoint in checkpoints:
        app.console.print(f"  checkpoint kept: {checkpoint}")


@click.command("drift")
@env_and_json
@pass_app
def drift_command(app: AppContext, env_name: str, as_json: bool) -> None:
    """Does ENV's live schema match what its history says? Exit 0: yes, 2: drift.

    \b
    Example:
      mrpplan drift prod
    """
    from mrpplan.fleet import reports

    sys.exit(reports.drift(app.project, app.screen, app.environment(env_name, fleet=True), as_json))


@click.command("recover")
@click.argument("env_name", metavar="ENV")
@click.option(
    "--forward",
    "forward_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Finish the interrupted plan instead of rolling it back.",
)
@pass_app
def recover_command(app: AppContext, env_name: str, forward_file: Path | None) -> None:
    """Roll back (default) or finish an apply whose process died.

    \b
    Example:
      mrpplan recover prod --forward plans/prod-20261124T025834Z.json
    """
    from mrpplan.fleet import reports
    from mrpplan.wiring import wiring

    env = app.environment(env_name, fleet=True)
    sys.exit(reports.recover(app.project, app.screen, env, forward_file, wiring=wiring()))


COMMANDS: list[click.Command] = [
    plan_command,
    show_command,
    apply_command,
    drift_command,
    recover_command,
]
