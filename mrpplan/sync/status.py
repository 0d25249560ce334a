"""What each environment is right now: reachable? which schema version? how big? backed up?

`list_environments` asks every environment at once (threads, short timeout) so one
unreachable host does not make the listing wait for each in turn.
"""

from __future__ import annotations

import importlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mrpplan.config import Environment, Project, load_environment
from mrpplan.errors import MrpplanError
from mrpplan.migrate import history
from mrpplan.mysql.connection import Connection, connect, server_version
from mrpplan.sync.catalog import database_exists, database_size

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


def _summary(project: Project, name: str) -> EnvSummary:
    try:
        env = load_environment(project, name)
    except MrpplanError as exc:
        return EnvSummary(
            name, "?", False, False, None, f"invalid file: {exc.message.splitlines()[0]}"
        )
    try:
        conn = connect(env.connection, database=None, connect_timeout=_TIMEOUT)
    except MrpplanError as exc:
        return EnvSummary(name, target_of(env), env.protected, False, None, _short(exc.message))
    try:
        if not database_exists(conn, env.connection.database):
            return EnvSummary(name, target_of(env), env.protected, True, None, "no database")
        conn.select_db(env.connection.database)
        return EnvSummary(name, target_of(env), env.protected, True, schema_version(conn))
    finally:
        conn.close()


def _short(message: str) -> str:
    text = message.removeprefix("connection failed: ").removesuffix(" Nothing was changed.")
    return text.rstrip(".")


def schema_version(conn: Connection) -> str | None:
    """The highest successfully applied migration's version, "base" for none, None = no history."""
    if not history.exists(conn):
        return None
    rows = [r for r in history.read(conn) if r.success]
    if not rows:
        return "base"
    return max(rows, key=lambda r: (r.number, r.version)).version


def environment_status(project: Project, env: Environment) -> EnvStatus:
    conn = connect(env.connection, database=None)
    notes: list[str] = []
    try:
        version_text = server_version(conn)
        exists = database_exists(conn, env.connection.database)
        tables, size = database_size(conn, env.connection.database) if exists else (0, 0)
        current: str | None = None
        if exists:
            conn.select_db(env.connection.database)
            current = schema_version(conn)
        pending = _pending(project, env, current, notes)
        drift, drift_note = _drift(project, env, conn, current) if exists else (None, "no database")
    finally:
        conn.close()
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
        directory: Any = importlib.import_module("mrpplan.migrate.directory")
        migrations = directory.load_migrations(project.migrations_dir)
        target = directory.resolve_version(migrations, env.schema.version) if migrations else 0
    except ModuleNotFoundError:
        notes.append("pending migrations: the migrations module is not available")
        return None
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


def _drift(
    project: Project, env: Environment, conn: Connection, current: str | None
) -> tuple[bool | None, str]:
    """Does the live schema match what its recorded version says? (None: cannot tell.)"""
    if current is None:
        return None, "no recorded version"
    try:
        directory: Any = importlib.import_module("mrpplan.migrate.directory")
        workspace: Any = importlib.import_module("mrpplan.mysql.workspace")
        inspect: Any = importlib.import_module("mrpplan.mysql.inspect")
        differ: Any = importlib.import_module("mrpplan.diff")
    except ModuleNotFoundError as exc:
        return None, f"schema engine not available ({exc.name})"
    statements = directory.desired_statements(project, "base" if current == "base" else current)
    desired = workspace.desired_schema(env.connection, statements, project.cache_dir)
    live = inspect.inspect_schema(conn, env.connection.database)
    changes = differ.diff_schemas(live, desired)
    if not changes:
        return False, "the live schema matches version " + current
    return True, f"{len(changes)} difference(s) from version {current}"


def last_backup(env: Environment) -> dict[str, Any] | None:
    """The newest backup of this environment in its backup dir, from the manifests."""
    folder = Path(env.backup.dir)
    if not folder.is_dir():
        return None
    try:
        manifest: Any = importlib.import_module("mrpplan.backup.manifest")
    except ModuleNotFoundError:
        return None
    newest: Any = None
    for path in folder.glob("*" + manifest.MANIFEST_SUFFIX):
        backup = path.with_name(path.name.removesuffix(manifest.MANIFEST_SUFFIX))
        try:
            found = manifest.read_manifest(backup)
        except MrpplanError:
            continue
        if found.env == env.name and (newest is None or found.created_at > newest[0].created_at):
            newest = (found, backup)
    if newest is None:
        return None
    found, backup = newest
    return {"file": str(backup), "kind": found.kind, "created_at": found.created_at}
