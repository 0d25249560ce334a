"""Where a database stands against the migration files: each file's status joined with
the database's schema history (read-only; `migrate up/down` decide their target from it,
the planner and drift refuse an edited migration with it)."""

from __future__ import annotations

from dataclasses import dataclass

from mrpplan.config import Environment, Project
from mrpplan.desired.directory import load_migrations
from mrpplan.desired.status import MigrationStatus, migration_statuses, with_base_schema
from mrpplan.mysql import schema_history as history
from mrpplan.mysql.connection import session


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
    from mrpplan.desired.status import edited_messages

    return edited_messages(read_migrations(project, env).statuses, env.name)
