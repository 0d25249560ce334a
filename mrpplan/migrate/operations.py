"""The migration commands as library calls: which version `up`/`down --steps N` means
(where the database stands is `desired/applied.py`).

Every migration command that writes (up, down, fresh, baseline) goes through a plan
(mrpplan.plan.planner.make_plan with a target version and scope) and the one executor;
this module only reads history and decides the target.
"""

from __future__ import annotations

from mrpplan.config import Environment, Project
from mrpplan.desired.applied import DatabaseMigrations, read_migrations
from mrpplan.desired.directory import (
    load_migrations,
    resolve_version,
)
from mrpplan.desired.status import (
    check_files_match_history,
    check_not_edited,
)
from mrpplan.errors import ConfigError, UsageError

BASE_VERSION = "000"


def up_target(project: Project, env: Environment, steps: int | None) -> str:
    """`latest`, or the version N pending migrations above the current one."""
    state = read_migrations(project, env)
    check_not_edited(state.statuses, env.name)
    newest = max((s.number for s in state.statuses), default=0)
    check_files_match_history(state.statuses, env.name, newest)  # `up` never goes down
    pending = [s for s in state.statuses if s.state == "pending"]
    if steps is None or steps >= len(pending):
        return pending[-1].version if pending else (_label(state, state.current))
    if steps < 1:
        raise ConfigError("--steps must be at least 1")
    return pending[steps - 1].version


def down_target(project: Project, env: Environment, steps: int) -> str:
    """The version left after rolling back the newest `steps` applied migrations."""
    if steps < 1:
        raise ConfigError("--steps must be at least 1")
    state = read_migrations(project, env)
    check_not_edited(state.statuses, env.name)
    applied = sorted(
        (s.number for s in state.statuses if s.state in ("applied", "missing")), reverse=True
    )
    remaining = applied[steps:]
    return _label(state, remaining[0]) if remaining else "base"


def down_to_target(project: Project, env: Environment, version: str) -> str:
    """`migrate down --to VERSION`: a version at or below the current one (or `base`)."""
    state = read_migrations(project, env)
    check_not_edited(state.statuses, env.name)
    if version in ("base", "0", "000"):
        return "base"
    number = resolve_version(load_migrations(project.migrations_dir), version)
    if number > state.current:
        raise UsageError(
            f"--to {version}: {env.name} is at version {_label(state, state.current)}, below "
            f"{version}; rolling back only goes down (use `mrpplan migrate up {env.name}`)"
        )
    return _label(state, number)


def _label(state: DatabaseMigrations, number: int) -> str:
    if number == 0:
        return "base"
    return next(s.version for s in state.statuses if s.number == number)
