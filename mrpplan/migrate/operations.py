"""The migration commands as library calls: where a database stands and which version
`up`/`down --steps N` means.

Every migration command that writes (up, down, fresh, baseline) goes through a plan
(mrpplan.plan.planner.make_plan with a target version and scope) and the one executor;
this module only reads history and decides the target.
"""

from __future__ import annotations

from dataclasses import dataclass

from mrpplan.config import Environment, Project
from mrpplan.errors import ConfigError, UsageError
from mrpplan.migrate import history
from mrpplan.migrate.directory import (
    load_migrations,
    resolve_version,
)
from mrpplan.migrate.status import (
    MigrationStatus,
    check_files_match_history,
    check_not_edited,
    migration_statuses,
    with_base_schema,
)
from mrpplan.mysql.connection import session

BASE_VERSION = "000"


@dataclass(frozen=True)
class DatabaseMigrations:
    """One environment's migrations: files joined with its history."""

    env: str
    database: str
    has_history: bool
    statuses: tuple[MigrationStatus, ...]

    @property
    def current(self) -> int:
        applied = [s.number for s in self.statuses if s.state in ("applied", "edited")]
        return max(applied, default=0)


def read_migrations(project: Project, env: Environment) -> DatabaseMigrations:
    from mrpplan.mysql.catalog import database_exists

    migrations = load_migrations(project.migrations_dir)
    with session(env.connection, database=None) as conn:
        has, every = False, []
        if database_exists(conn, env.connection.database):
            conn.select_db(env.connection.database)
            has = history.exists(conn)
            every = history.read(conn)
    statuses = migration_statuses(migrations, [r for r in every if r.number > 0])
    return DatabaseMigrations(
        env.name,
        env.connection.database,
        has,
        # with `drift: repair` the base schema is declarative: editing it is how one changes it
        tuple(
            statuses
            if env.schema.drift == "repair"
            else with_base_schema(statuses, project.schema_dir, every)
        ),
    )


def edited_migrations(project: Project, env: Environment) -> list[str]:
    """Messages naming each migration file edited after it was applied to env (online check
    used by `validate --env ENV`, `migrate status` and the planner)."""
    from mrpplan.migrate.status import edited_messages

    return edited_messages(read_migrations(project, env).statuses, env.name)


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
