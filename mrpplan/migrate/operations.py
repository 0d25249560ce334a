"""The migration commands as library calls: where a database stands, which version
`up`/`down --steps N` means, adopting an existing database (baseline), and wiping one (fresh).

Commands that change schema go through a plan (mrpplan.plan.planner.make_plan with a
target version) and the executor; this module only decides the target and does the
two things that are not schema steps: recording a baseline and emptying a database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mrpplan.config import Environment, Project
from mrpplan.errors import ConfigError, Refused
from mrpplan.migrate import history
from mrpplan.migrate.directory import (
    Migration,
    base_schema_statements,
    desired_statements,
    load_migrations,
    resolve_version,
    source_digest,
)
from mrpplan.migrate.status import (
    MigrationStatus,
    check_not_edited,
    migration_statuses,
    with_base_schema,
)
from mrpplan.mysql.catalog import database_charset
from mrpplan.mysql.connection import connect
from mrpplan.mysql.quote import ident

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
    migrations = load_migrations(project.migrations_dir)
    conn = connect(env.connection)
    try:
        has = history.exists(conn)
        every = history.read(conn)
    finally:
        conn.close()
    statuses = migration_statuses(migrations, [r for r in every if r.number > 0])
    return DatabaseMigrations(
        env.name,
        env.connection.database,
        has,
        tuple(with_base_schema(statuses, project.schema_dir, every)),
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


def _label(state: DatabaseMigrations, number: int) -> str:
    if number == 0:
        return "base"
    return next(s.version for s in state.statuses if s.number == number)


def baseline(project: Project, env: Environment, version: str) -> list[str]:
    """Record `version` as applied on a database that has that schema but no history.

    Refused when history exists, or when the live schema is not the canonical schema of
    that version (the message lists what differs). Returns the versions recorded.
    """
    from mrpplan.mysql.inspect import inspect_schema
    from mrpplan.mysql.workspace import desired_schema
    from mrpplan.plan.schema_steps import drift_lines

    migrations = load_migrations(project.migrations_dir)
    number = resolve_version(migrations, version)
    label = "base" if number == 0 else next(m.version for m in migrations if m.number == number)
    expected = desired_schema(env.connection, desired_statements(project, label), project.cache_dir)
    conn = connect(env.connection)
    try:
        if [r for r in history.read(conn) if r.success]:
            raise Refused(
                f"{env.connection.database} ({env.name}) already has migration history;"
                " baseline is only for a database with none. Nothing was changed.",
                hint=f"see `mrpplan migrate status {env.name}`",
            )
        live = inspect_schema(conn, env.connection.database)
        if live.fingerprint() != expected.fingerprint():
            raise Refused(
                f"the live schema of {env.name} does not match version {label}: "
                + "; ".join(drift_lines(expected, live))
                + ". Nothing was recorded.",
                hint="pick the version the database really is at, or fix the differences first",
            )
        rows = _baseline_rows(project, migrations, number)
        history.ensure(conn)
        conn.begin()
        try:
            for version_, name, checksum, down in rows:
                history.record(conn, version_, name, checksum, down)
            conn.commit()
        except Exception:
            conn.rollback()
            raise
    finally:
        conn.close()
    return [r[0] for r in rows]


def _baseline_rows(
    project: Project, migrations: Sequence[Migration], number: int
) -> list[tuple[str, str, str, list[str] | None]]:
    digest = source_digest(base_schema_statements(project.schema_dir))
    rows: list[tuple[str, str, str, list[str] | None]] = [
        (BASE_VERSION, "base_schema", digest, None)
    ]
    for m in migrations:
        if m.number <= number:
            down = [s.text for s in m.down] if m.down is not None else None
            rows.append((m.version, m.name, m.checksum, down))
    return rows


def wipe_database(env: Environment) -> None:
    """Drop and re-create env's database with the same character set (for `migrate fresh`)."""
    if env.protected:
        raise Refused(
            f"{env.name} is protected: migrate fresh would drop everything in it."
            " Nothing was changed."
        )
    database = env.connection.database
    conn = connect(env.connection, database=None)
    try:
        with conn.cursor() as cur:
            charset, collation = database_charset(conn, database) or ("utf8mb4", "")
            cur.execute(f"DROP DATABASE IF EXISTS {ident(database)}")
            create = f"CREATE DATABASE {ident(database)} CHARACTER SET {_word(charset)}"
            if collation:
                create += f" COLLATE {_word(collation)}"
            cur.execute(create)
    finally:
        conn.close()


def _word(name: str) -> str:
    """A character set or collation name as the server reported it (letters, digits, _)."""
    return re.sub(r"[^A-Za-z0-9_]", "", name) or "utf8mb4"
