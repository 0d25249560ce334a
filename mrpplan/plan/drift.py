"""Does the live schema match what its history says it should be?"""

from __future__ import annotations

from dataclasses import dataclass, field

from mrpplan.config import Environment, Project
from mrpplan.mysql.connection import Session, session
from mrpplan.plan.fingerprint import DatabaseState
from mrpplan.plan.live import read_state


@dataclass(frozen=True)
class DriftReport:
    environment: str
    database: str
    recorded_version: str | None  # None: no history (compared with the target instead)
    compared_with: str
    differences: list[str] = field(default_factory=list)

    @property
    def drifted(self) -> bool:
        return bool(self.differences)


def detect_drift(project: Project, env: Environment) -> DriftReport:
    """Compare the live schema with the schema at its recorded version (or the target)."""
    from mrpplan.desired.applied import read_migrations
    from mrpplan.desired.directory import desired_statements
    from mrpplan.desired.status import check_not_edited
    from mrpplan.desired.workspace import desired_schema
    from mrpplan.mysql.workspace_place import workspace_for
    from mrpplan.plan.schema_steps import drift_lines

    with session(env.connection, read_only=True) as conn:
        live: DatabaseState = read_state(conn, env.connection.database)
        unfinished = unfinished_work(conn, env)
    recorded = live.schema_version
    if unfinished:  # first things first: only `recover` knows what the database holds now
        label = f"recorded version {recorded}" if recorded else "history"
        return DriftReport(env.name, env.connection.database, recorded, label, unfinished)
    # an edited file (base schema or migration) is not the database's drift: name the file
    check_not_edited(read_migrations(project, env).statuses, env.name)
    if recorded is None:
        version, label = env.schema.version, f"target version {env.schema.version} (no history)"
    else:
        number = int("".join(c for c in recorded if c.isdigit()) or 0)
        version = recorded if number else "base"
        label = f"recorded version {recorded}"
    expected = desired_schema(
        workspace_for(project, env), desired_statements(project, version), project.cache_dir
    )
    differences: list[str] = []
    if expected.fingerprint() != live.schema.fingerprint():
        differences = drift_lines(expected, live.schema)
    differences = unfinished + differences
    return DriftReport(env.name, env.connection.database, recorded, label, differences)


def unfinished_work(conn: Session, env: Environment) -> list[str]:
    """An interrupted apply (a restore or sync killed half-way too) is drift: the database
    may hold half of a change, and only `recover` knows which half."""
    from mrpplan.mysql.journal import interrupted_applies
    from mrpplan.mysql.shadow import LOAD_PREFIX, shadow_databases

    database = env.connection.database
    lines = [
        f"apply {a.apply_id} (plan {a.plan_digest[:12]}, started {a.started_at}) was "
        f"interrupted and not recovered: run `mrpplan recover {env.name}`"
        for a in interrupted_applies(conn, database)
    ]
    lines += [
        f"scratch database {name} is left from an interrupted load: run "
        f"`mrpplan recover {env.name}`"
        for name in shadow_databases(conn, database, LOAD_PREFIX)
    ]
    return lines
