"""What `plan` and `show` print and save, for one database or a fleet: the plan as JSON,
as markdown for a pull request, or on the console; then where it was saved, the lint
findings and, under `policy.preflight.on_failure: refuse`, the refusal."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text

from mrpplan.config import Environment, Project
from mrpplan.errors import EXIT_CHANGES
from mrpplan.lint.project import show_findings
from mrpplan.plan import fleet_planfile, planfile
from mrpplan.plan.fleet_types import FleetPlan
from mrpplan.plan.preflight import refuse_plan
from mrpplan.plan.providers import Wiring
from mrpplan.plan.render import print_plan
from mrpplan.plan.render_markdown import PART_SEPARATOR, render_markdown
from mrpplan.plan.screen import Screen
from mrpplan.plan.types import Plan
from mrpplan.units import relative


@dataclass(frozen=True)
class View:
    """--json, --markdown (one of them) and --sql."""

    as_json: bool = False
    markdown: bool = False
    show_sql: bool = False

    @property
    def on_stdout(self) -> bool:
        """A document on stdout: notes go to stderr."""
        return self.as_json or self.markdown


def emit(screen: Screen, plan: Plan | FleetPlan, view: View, path: str | None) -> None:
    """The plan as the view asks: JSON or markdown on stdout, or the console view."""
    show_sql = view.show_sql or screen.verbose
    if view.on_stdout:
        screen.document(_document(plan, view.as_json), newline=False)
    elif isinstance(plan, FleetPlan):
        from mrpplan.fleet.render import print_fleet  # a fleet's (start-up of a single plan)

        print_fleet(screen.out, plan, show_sql=show_sql, path=path)
    else:
        print_plan(screen.out, plan, show_sql=show_sql, path=path)


def _document(plan: Plan | FleetPlan, as_json: bool) -> str:
    """The plan file's JSON, or the markdown parts of a pull-request comment."""
    if isinstance(plan, FleetPlan):
        if as_json:
            return fleet_planfile.dumps(plan)
        from mrpplan.fleet.render import render_fleet_markdown

        return PART_SEPARATOR.join(render_fleet_markdown(plan))
    return planfile.dumps(plan) if as_json else PART_SEPARATOR.join(render_markdown(plan))


def publish(
    project: Project,
    env: Environment,
    screen: Screen,
    view: View,
    *,
    out: Path | None,
    target_version: str | None,
    detailed_exitcode: bool,
    wiring: Wiring,
) -> int:
    """`mrpplan plan ENV`: the exit code (2 under --detailed-exitcode when it changes).

    One database: a file only when asked (--out), or for a plan with changes shown on the
    console (where it says so); never for "No changes" or a --json/--markdown view on
    stdout. A fleet: always one plan file for every database."""
    saved: str | None
    if env.is_fleet:
        fleet, saved = _fleet_plan(project, env, screen, out, target_version, wiring)
        findings = [f for section in fleet.sections for f in section.preflight]
        plan: Plan | FleetPlan = fleet
    else:
        plan, saved = _single_plan(project, env, out, target_version, view, wiring)
        findings = list(plan.preflight)
    emit(screen, plan, view, saved)
    note = screen.view(view.on_stdout)
    if saved and plan.has_changes:
        note.print(f"\nSaved the plan to {saved}. To apply it: mrpplan apply {saved}")
    elif saved and not env.is_fleet:
        note.print(f"\nSaved the plan to {saved}.")
    # the live state (schema and history rows) is the desired one: nothing to lint there
    unchanged = isinstance(plan, Plan) and plan.prior.fingerprint == plan.desired.fingerprint
    show_findings(project, env, lambda line: note.print(Text(line)), live_is_desired=unchanged)
    refuse_plan(env, findings, saved)
    return EXIT_CHANGES if detailed_exitcode and plan.has_changes else 0


def _single_plan(
    project: Project,
    env: Environment,
    out: Path | None,
    target_version: str | None,
    view: View,
    wiring: Wiring,
) -> tuple[Plan, str | None]:
    from mrpplan.lint.ahead import starter
    from mrpplan.lint.project import TABLES_CACHE
    from mrpplan.plan.planner import make_plan

    lint_ahead = starter(project.cache_dir / TABLES_CACHE)
    plan = planfile.with_digest(
        make_plan(project, env, wiring=wiring, target_version=target_version, live_read=lint_ahead)
    )
    saved = out or (
        planfile.default_plan_path(project, plan)
        if plan.has_changes and not view.on_stdout
        else None
    )
    return plan, display(planfile.write_plan(plan, saved)) if saved else None


def _fleet_plan(
    project: Project,
    env: Environment,
    screen: Screen,
    out: Path | None,
    version: str | None,
    wiring: Wiring,
) -> tuple[FleetPlan, str]:
    from mrpplan.fleet.planner import make_fleet_plan

    progress = screen.progress()
    fleet = fleet_planfile.with_digest(
        make_fleet_plan(project, env, wiring=wiring, target_version=version, progress=progress)
    )
    path = out or fleet_planfile.default_path(project, fleet)
    return fleet, display(fleet_planfile.write_fleet_plan(fleet, path))


def display(path: Path) -> str:
    """A path as the operator reads it: relative to the current folder when inside it."""
    return relative(path, Path.cwd())
