"""The interactive rollback's table: each applied migration, newest first, and what going
back below it undoes."""

from __future__ import annotations

from rich.table import Table

from mrpplan.config import Environment, Project
from mrpplan.errors import UsageError
from mrpplan.migrate import operations


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
