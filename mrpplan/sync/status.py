"""What each environment is right now: reachable? which schema version? how big? backed up?

`list_environments` asks every environment at once (threads, short timeout) so one
unreachable host does not make the listing wait for each in turn.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mrpplan.backup.manifest import MANIFEST_SUFFIX, Manifest, read_manifest
from mrpplan.config import Environment, Project, load_environment
from mrpplan.desired.directory import load_migrations, resolve_version
from mrpplan.errors import ConfigError, MrpplanError
from mrpplan.mysql import schema_history as history
from mrpplan.mysql.catalog import database_exists
from mrpplan.mysql.connection import Session, server_version, session
from mrpplan.plan.drift import detect_drift
from mrpplan.sync.catalog import database_size

_TIMEOUT = 3


@dataclass(frozen=True)
class EnvSummary:
    """One row of `sync list-envs`."""

    name: str
    target: str  # host:port/database
    protected: bool
    reachable: bool
    schema_version: str | None  # None = no mrpplan_schema_history (or unreachable)
    note: str = ""  # why not reachable, "no database", ...
    problem: str = ""  # the whole message when the environment file is invalid

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class EnvStatus:
    """`sync status ENV`."""

    name: str
    target: str
    protected: bool
    server_version: str
    database_exists: bool
    tables: int
    size_bytes: int
    schema_version: str | None
    target_version: str
    pending_migrations: list[str] | None  # None = not known (no history / no migrations module)
    drift: bool | None  # None = not checked
    drift_note: str
    last_backup: dict[str, Any] | None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def target_of(env: Environment) -> str:
    return f"{env.connection.endpoint()}/{env.connection.database}"


def list_environments(project: Project) -> list[EnvSummary]:
    names = project.environment_names()
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(names)))) as pool:
        return list(pool.map(lambda n: _summary(project, n), names))


def check_all_valid(rows: list[EnvSummary]) -> None:
    """A listing that hides a broken environment file must not exit 0 (cron, CI)."""
    problems = dict.fromkeys(r.problem for r in rows if r.problem)  # each message once
    if problems:
        raise ConfigError(
            "\n".join(problems),
            unchanged="Nothing was changed.",
            hint="fix the file; `mrpplan validate` lists every problem",
        )


def _summary(project: Project, name: str) -> EnvSummary:
    try:
        env = load_environment(project, name)
    except MrpplanError as exc:
        first = exc.message.splitlines()[0]
        return EnvSummary(name, "?", False, False, None, f"invalid file: {first}", exc.message)
    with contextlib.ExitStack() as stack:
        try:
            opened = session(
                env.connection, database=None, connect_timeout=_TIMEOUT, read_only=True
            )
            conn = stack.enter_context(opened)
        except MrpplanError as exc:
            return EnvSummary(name, target_of(env), env.protected, False, None, _short(exc.message))
        if not database_exists(conn, env.connection.database):
            return EnvSummary(name, target_of(env), env.protected, True, None, "no database")
        conn.select_db(env.connection.database)
        return EnvSummary(name, target_of(env), env.protected, True, schema_version(conn))


def _short(message: str) -> str:
    text = message.removeprefix("connection failed: ").removesuffix(" Nothing was changed.")
    return text.rstrip(".")


def schema_version(conn: Session) -> str | None:
    """The highest successfully applied migration's version, "base" for none, None = no history."""
    if not history.exists(conn):
        return None
    rows = [r for r in history.read(conn) if r.success]
    if not rows:
        return "base"
    return max(rows, key=lambda r: (r.number, r.version)).version


def environment_status(project: Project, env: Environment) -> EnvStatus:
    notes: list[str] = []
    with session(env.connection, database=None, read_only=True) as conn:
        version_text = server_version(conn)
        exists = database_exists(conn, env.connection.database)
        tables, size = database_size(conn, env.connection.database) if exists else (0, 0)
        current: str | None = None
        if exists:
            conn.select_db(env.connection.database)
            current = schema_version(conn)
        pending = _pending(project, env, current, notes)
    drift, drift_note = _drift(project, env) if exists else (None, "no database")
    return EnvStatus(
        name=env.name,
        target=target_of(env),
        protected=env.protected,
        server_version=version_text,
        database_exists=exists,
        tables=tables,
        size_bytes=size,
        schema_version=current,
        target_version=env.schema.version,
        pending_migrations=pending,
        drift=drift,
        drift_note=drift_note,
        last_backup=last_backup(env),
        notes=notes,
    )


def _pending(
    project: Project, env: Environment, current: str | None, notes: list[str]
) -> list[str] | None:
    """Migration versions between the recorded version and the environment's target."""
    try:
        migrations = load_migrations(project.migrations_dir)
        target = resolve_version(migrations, env.schema.version) if migrations else 0
    except MrpplanError as exc:
        notes.append(f"pending migrations: {exc.message}")
        return None
    if current is None:
        notes.append(
            "no mrpplan_schema_history: the schema version is not known (see `migrate baseline`)"
        )
        return None
    number = 0 if current == "base" else int(current) if current.isdigit() else -1
    return [m.version for m in migrations if number < m.number <= target]


def _drift(project: Project, env: Environment) -> tuple[bool | None, str]:
    """Does the live schema match what its history says? (the `drift` command's check)"""
    try:
        report = detect_drift(project, env)
    except MrpplanError as exc:
        return None, exc.message
    if not report.drifted:
        return False, f"the live schema matches {report.compared_with}"
    return True, f"{len(report.differences)} difference(s) from {report.compared_with}"


def last_backup(env: Environment) -> dict[str, Any] | None:
    """The newest backup of this environment in its backup dir, from the manifests."""
    folder = Path(env.backup.dir)
    if not folder.is_dir():
        return None
    newest: tuple[Manifest, Path] | None = None
    for path in folder.glob("*" + MANIFEST_SUFFIX):
        backup = path.with_name(path.name.removesuffix(MANIFEST_SUFFIX))
        try:
            found = read_manifest(backup)
        except MrpplanError:
            continue
        if found.env == env.name and (newest is None or found.created > newest[0].created):
            newest = (found, backup)
    if newest is None:
        return None
    found, backup = newest
    return {"file": str(backup), "kind": found.kind, "created_at": found.created_at}
