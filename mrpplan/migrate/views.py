"""The interactive rollback's table: each applied migration, newest first, and what going
back below it undoes."""

from __future__ import annotations

from rich.table import Table

from mrpplan.apply.gate import Writing, carry_out
from mrpplan.config import Environment, Project
from mrpplan.errors import UsageError
from mrpplan.migrate import operations
from mrpplan.plan.providers import Scope
from mrpplan.plan.screen import Screen
from mrpplan.plan.types import Plan
from mrpplan.units import count


def rollback_choices(project: Project, env: Environment) -> tuple[Table, list[str]]:
    """The table to show and the version each of its lines stays at."""
    state = operations.read_migrations(project, env)
    applied = [s for s in state.statuses if s.state in ("applied", "edited")]
    if not applied:
        raise UsageError(f"{env.name} has no applied migration to roll back")
    table = Table(title=f"Applied migrations of {env.name}, newest first")
    for column in ("#", "stay at", "rolling back undoes", "applied_at"):
        table.add_column(column)
    newest_first = list(reversed(applied))
    choices = [s.version for s in newest_first[1:]] + ["base"]
    for index, (status, stay) in enumerate(zip(newest_first, choices, strict=True), start=1):
        undone = ", ".join(f"{s.version}_{s.name}" for s in newest_first[:index])
        when = status.applied_at.strftime("%Y-%m-%d %H:%M") if status.applied_at else ""
        table.add_row(str(index), stay, undone, when)
    return table, choices


def run_migrations(
    project: Project,
    screen: Screen,
    env: Environment,
    writing: Writing,
    target: str,
    *,
    backup: bool,
    scope: Scope | None,
) -> None:
    """Plan to `target` (schema only: seeds and sync are `mrpplan plan`'s business) and run
    it the way every writing command runs (`backup`: a full backup first)."""
    from mrpplan.apply.gate import back_up_first
    from mrpplan.plan.planner import make_plan

    chosen = scope or Scope(data=())

    def build() -> Plan:
        return make_plan(project, env, wiring=writing.wiring, target_version=target, scope=chosen)

    before = back_up_first(screen, env, "full" if backup else None, writing.request.command)
    result = carry_out(project, env, build, writing, screen, before=before)
    if result is not None:
        screen.out.print(
            f"Apply complete: {count(len(result.steps_run), 'step')} ran on {env.name}: "
            f"now at {target}."
        )
