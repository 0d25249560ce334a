"""CLI glue for fleets: `plan`, `show` and `apply` hand a fleet environment or a fleet plan
file here. Approval is the one rule (`apply/approval.py`), asked once for the whole fleet."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from mrpplan.apply.approval import Request, approve
from mrpplan.apply.verify import check_policy, check_supported
from mrpplan.cli.context import AppContext
from mrpplan.cli.wiring import wiring
from mrpplan.config import Environment
from mrpplan.errors import EXIT_CHANGES, Refused
from mrpplan.fleet.render import print_fleet, render_fleet_markdown
from mrpplan.fleet.runner import FleetResult, apply_fleet, fleet_members
from mrpplan.lint.project import show_findings
from mrpplan.plan.fleet_planfile import default_path, dumps, with_digest, write_fleet_plan
from mrpplan.plan.fleet_types import FleetPlan
from mrpplan.plan.preflight import refuse_plan
from mrpplan.plan.render_markdown import PART_SEPARATOR


def plan_fleet(
    app: AppContext,
    env: Environment,
    *,
    out: Path | None,
    as_json: bool,
    markdown: bool,
    show_sql: bool,
    detailed_exitcode: bool,
    target_version: str | None,
) -> None:
    """`mrpplan plan FLEET_ENV`: one plan file for every database."""
    from mrpplan.fleet.planner import make_fleet_plan

    fleet = with_digest(
        make_fleet_plan(
            app.project,
            env,
            wiring=wiring(),
            target_version=target_version,
            progress=_progress(app),
        )
    )
    path = write_fleet_plan(fleet, out or default_path(app.project, fleet))
    where = _relative(path)
    emit(app, fleet, as_json=as_json, markdown=markdown, show_sql=show_sql, path=where)
    note = app.err_console if as_json or markdown else app.console
    if fleet.has_changes:
        note.print(f"\nSaved the plan to {where}. To apply it: mrpplan apply {where}")
    show_findings(app.project, env, lambda line: note.print(Text(line)))
    refuse_plan(env, [f for section in fleet.sections for f in section.preflight], where)
    if detailed_exitcode and fleet.has_changes:
        sys.exit(EXIT_CHANGES)


def emit(
    app: AppContext,
    fleet: FleetPlan,
    *,
    as_json: bool,
    markdown: bool,
    show_sql: bool,
    path: str | None,
) -> None:
    if as_json and markdown:
        raise click.UsageError("choose one of --json and --markdown")
    if as_json:
        click.echo(dumps(fleet), nl=False)
    elif markdown:
        click.echo(PART_SEPARATOR.join(render_fleet_markdown(fleet)), nl=False)
    else:
        print_fleet(app.console, fleet, show_sql=show_sql or app.verbose, path=path)


def apply_fleet_env(
    app: AppContext, env: Environment, *, auto_approve: bool, as_json: bool = False
) -> None:
    """`mrpplan apply FLEET_ENV`: plan, show, ask once, apply (each database under its lock,
    refused there if it changed since it was planned)."""
    from mrpplan.fleet.planner import make_fleet_plan

    fleet = with_digest(make_fleet_plan(app.project, env, wiring=wiring(), progress=_progress(app)))
    view = app.err_console if as_json else app.console
    print_fleet(view, fleet, show_sql=app.verbose)
    if not fleet.has_changes:
        view.print(f"Nothing to do: every database of {env.name} is already as asked.")
        if as_json:
            _run(app, env, fleet, from_file=False, as_json=True)
        return
    _check_and_approve(app, env, fleet, Request("apply", skip_questions=auto_approve))
    _run(app, env, fleet, from_file=False, as_json=as_json)


def apply_fleet_file(
    app: AppContext, fleet: FleetPlan, path: str, *, auto_approve: bool, as_json: bool = False
) -> None:
    """`mrpplan apply FLEET_PLAN_FILE`: nothing in the file is trusted; each section is
    checked (seal, target, rebuilt under its lock) by the executor as a single plan is."""
    env = app.environment(fleet.environment, fleet=True)
    view = app.err_console if as_json else app.console
    print_fleet(view, fleet, path=path)
    if env.protected and not fleet.keyed:
        raise Refused(
            f"{env.name} is protected and this plan file is not sealed with a key: anyone who "
            "can edit the file could have recomputed its plain digest. Nothing was changed.",
            hint="set MRPPLAN_PLAN_KEY both when making the plan and when applying it",
        )
    if not fleet.has_changes:
        view.print("Nothing to apply: the plan has no changes (applied as a no-op).")
        if as_json:
            _run(app, env, fleet, from_file=True, as_json=True)
        return
    request = Request("apply", skip_questions=auto_approve, saved_plan=True)
    _check_and_approve(app, env, fleet, request)
    _run(app, env, fleet, from_file=True, as_json=as_json)


def _check_and_approve(
    app: AppContext, env: Environment, fleet: FleetPlan, request: Request
) -> None:
    """Refuse before asking anyone (a section the policy forbids, a section for a database
    the environment no longer names), then the one approval rule, once."""
    from mrpplan.cli.writing import ask

    for member, section in fleet_members(env, fleet):
        check_supported(section)
        check_policy(member.env, section)
    approve(env, request, destructive=fleet.destructive_steps, ask=ask)


def _run(
    app: AppContext, env: Environment, fleet: FleetPlan, *, from_file: bool, as_json: bool
) -> None:
    """Apply, then the per-database table (on stderr under --json, where stdout holds only
    the JSON document) and the fleet's exit code. With no changes only --json prints."""
    changing = len(fleet.changing)
    if changing:
        app.err_console.print(
            Text(
                f"Applying to {changing} database(s): canary {min(env.fleet.canary, changing)} "
                f"first, then {env.fleet.parallel} at a time.",
                style="dim",
            )
        )
    result = apply_fleet(
        app.project,
        env,
        fleet,
        from_file=from_file,
        wiring=wiring(),
        progress=lambda line: app.err_console.print(Text(line)),
        step_progress=_progress(app) if app.verbose else None,
    )
    if changing:
        print_result(app.err_console if as_json else app.console, env, result)
    if as_json:
        click.echo(json.dumps(result.document(env.name), indent=2))
    if result.exit_code:
        sys.exit(result.exit_code)


_STYLES = {
    "applied": "green",
    "unchanged": "dim",
    "rolled back": "red",
    "error": "red",
    "failed": "bold red",
    "refused": "yellow",
    "not started": "yellow",
}


def print_result(console: Console, env: Environment, result: FleetResult) -> None:
    table = Table(title=f"Fleet apply on {env.name}", title_justify="left")
    table.add_column("Database")
    table.add_column("Result")
    table.add_column("Steps", justify="right")
    table.add_column("Detail")
    for outcome in result.outcomes:
        status = outcome.status + (" (canary)" if outcome.canary else "")
        table.add_row(
            outcome.key,
            Text(status, style=_STYLES.get(outcome.status, "")),
            str(outcome.steps),
            outcome.error or "",
        )
    console.print(table)
    counts = ", ".join(
        f"{result.count(s)} {s}"
        for s in (
            "applied",
            "unchanged",
            "rolled back",
            "error",
            "failed",
            "refused",
            "not started",
        )
        if result.count(s)
    )
    style = "bold green" if result.ok else "bold red"
    console.print(Text(f"Fleet apply: {counts}.", style=style))
    if not result.ok:
        console.print(
            "Databases not applied are as they were (rolled back, stopped by an error before "
            "any change, or never started). "
            f"To continue: mrpplan plan {env.name} (covers only what still differs), then apply "
            "that plan."
            + (
                f" A database marked failed needs `mrpplan recover {env.name}` on it first."
                if result.count("failed")
                else ""
            )
        )


def _progress(app: AppContext) -> Callable[[str], None]:
    return lambda line: app.err_console.print(Text(line, style="dim"))


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
