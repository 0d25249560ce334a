"""`mrpplan status`: is each environment healthy? For people in the morning and for cron.

The old scripts' README asked for monitoring of backup success, disk space, migration status
across environments and database size growth. This module gathers those facts per
environment (reusing `sync status` for the database side) and says what needs attention:
pending migrations, drift, edited migrations, no recent backup, little free space where
backups go. Size growth comes from the full backups' manifests, so it needs no extra table.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from mrpplan.backup.catalog import BackupEntry, list_backups
from mrpplan.backup.manifest import iso, utc_now
from mrpplan.config import Environment, Project, load_environment
from mrpplan.errors import MrpplanError
from mrpplan.units import human_size, relative


@dataclass(frozen=True)
class Thresholds:
    """When a fact needs attention (the defaults suit a daily 2 AM backup cron)."""

    max_backup_age_hours: float = 26.0
    min_free_percent: float = 10.0
    free_backups: float = 3.0  # free space below this many newest-backup sizes is too little


@dataclass
class BackupFacts:
    file: str
    kind: str
    created_at: str
    age_hours: float
    verified: str  # deep | quick | no | no manifest
    bytes: int


@dataclass
class Growth:
    """Database size over time, from the SQL size of full backups (oldest vs newest)."""

    since: str
    sql_bytes_then: int
    sql_bytes_now: int
    rows_then: int
    rows_now: int

    @property
    def percent(self) -> float | None:
        if not self.sql_bytes_then:
            return None
        return 100.0 * (self.sql_bytes_now - self.sql_bytes_then) / self.sql_bytes_then


@dataclass
class EnvHealth:
    name: str
    target: str = ""
    protected: bool = False
    error: str = ""  # set when the environment could not be checked
    schema_version: str | None = None
    target_version: str = ""
    pending_migrations: list[str] | None = None
    drift: bool | None = None
    drift_note: str = ""
    size_bytes: int = 0
    tables: int = 0
    last_backup: BackupFacts | None = None
    backup_dir: str = ""
    free_bytes: int | None = None
    total_bytes: int | None = None
    growth: Growth | None = None
    recovery: str = ""  # point-in-time restore window, when binary logs are archived
    attention: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        """ok | attention | error"""
        if self.error:
            return "error"
        return "attention" if self.attention else "ok"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["state"] = self.state
        if self.growth is not None:
            data["growth"]["percent"] = self.growth.percent
        return data


def check_environments(
    project: Project, names: list[str], thresholds: Thresholds | None = None
) -> list[EnvHealth]:
    """One EnvHealth per name (every environment when `names` is empty), never raising for
    one environment's failure: it is reported in that environment's row."""
    limits = thresholds or Thresholds()
    rows: list[EnvHealth] = []
    for name in names or project.environment_names():
        rows.extend(_check(project, name, limits))
    return rows


def _check(project: Project, name: str, limits: Thresholds) -> list[EnvHealth]:
    """One row, or one per database of a fleet (named ENV/DATABASE)."""
    from mrpplan.fleet.each import for_each

    try:
        env = load_environment(project, name)
    except MrpplanError as exc:
        return [EnvHealth(name, error=exc.message.splitlines()[0])]
    if not env.is_fleet:
        return [_check_database(project, name, env, limits)]
    try:  # fleet.parallel databases at a time
        each = for_each(env, lambda member: _check_database(project, name, member, limits))
    except MrpplanError as exc:
        return [EnvHealth(name, error=exc.message.splitlines()[0])]
    rows = [e.result for e in each if e.result is not None]
    for row, e in zip(rows, each, strict=True):
        row.name = f"{name}/{e.label}"
    return rows


def _check_database(project: Project, name: str, env: Environment, limits: Thresholds) -> EnvHealth:
    from mrpplan.sync.status import environment_status, target_of

    health = EnvHealth(name)
    health.target, health.protected = target_of(env), env.protected
    health.target_version = env.schema.version
    _backup_facts(env, health, limits)
    try:
        found = environment_status(project, env)
    except MrpplanError as exc:
        health.error = exc.message.splitlines()[0]
        return health
    health.schema_version = found.schema_version
    health.pending_migrations = found.pending_migrations
    health.drift, health.drift_note = found.drift, found.drift_note
    health.size_bytes, health.tables = found.size_bytes, found.tables
    health.notes.extend(found.notes)
    if not found.database_exists:
        health.attention.append(f"database {env.connection.database} does not exist")
    if found.pending_migrations:
        health.attention.append(f"pending migrations: {', '.join(found.pending_migrations)}")
    if found.drift:
        health.attention.append(f"drift: {found.drift_note}")
    elif found.drift is None and found.database_exists:
        health.attention.append(f"drift not checked: {found.drift_note}")
    return health


def _recovery_facts(env: Environment, health: EnvHealth) -> None:
    """The point-in-time window; a gap or an archive not copied lately needs attention."""
    from mrpplan.backup.binlog_window import recovery

    found = recovery(env)
    if not found.logs:
        return
    now = utc_now().timestamp()
    health.recovery = found.summary(now)
    if found.problems:
        health.attention.append(f"binary-log archive has a gap: {'; '.join(found.problems)}")
    if found.stale(now):
        health.attention.append(
            f"binary-log archive is stale: last copied {int((now - (found.last_copy or 0)) // 60)}"
            f" min ago (mrpplan backup {env.name} --binlogs from cron)"
        )


def _backup_facts(env: Environment, health: EnvHealth, limits: Thresholds) -> None:
    _recovery_facts(env, health)
    folder = Path(env.backup.dir)
    health.backup_dir = str(folder)
    entries = [e for e in list_backups([folder], env.name) if e.kind != "rollback"]
    newest = entries[0] if entries else None
    if newest is None:
        health.attention.append(f"no backup of {env.name} in {folder}")
    else:
        age = (utc_now() - newest.created).total_seconds() / 3600
        health.last_backup = BackupFacts(
            str(newest.path),
            newest.kind,
            iso(newest.created),
            round(age, 1),
            newest.verified,
            newest.size,
        )
        if age > limits.max_backup_age_hours:
            health.attention.append(
                f"last backup is {age:.0f} hours old (more than {limits.max_backup_age_hours:g})"
            )
        if newest.verified == "no manifest":
            health.attention.append(
                f"last backup {newest.path.name} has no manifest: `mrpplan backup import`"
            )
    usage = _disk_usage(folder)
    if usage is not None:
        health.free_bytes, health.total_bytes = usage
        percent = 100.0 * usage[0] / usage[1] if usage[1] else 100.0
        needed = limits.free_backups * (newest.size if newest else 0)
        if percent < limits.min_free_percent or usage[0] < needed:
            health.attention.append(
                f"low disk space where backups go: {usage[0] // 2**20} MiB free ({percent:.0f}%)"
            )
    health.growth = _growth([e for e in entries if e.kind == "full"])


def _disk_usage(folder: Path) -> tuple[int, int] | None:
    """(free, total) bytes of the file system the folder is (or will be) on."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        usage = shutil.disk_usage(probe)
    except OSError:
        return None
    return usage.free, usage.total


def _growth(full: list[BackupEntry]) -> Growth | None:
    with_manifest = [e for e in full if e.manifest is not None]
    if len(with_manifest) < 2:
        return None
    newest, oldest = with_manifest[0], with_manifest[-1]
    assert newest.manifest is not None and oldest.manifest is not None
    return Growth(
        since=iso(oldest.created),
        sql_bytes_then=oldest.manifest.sql_bytes,
        sql_bytes_now=newest.manifest.sql_bytes,
        rows_then=sum(t.rows for t in oldest.manifest.tables.values()),
        rows_now=sum(t.rows for t in newest.manifest.tables.values()),
    )


def overall_exit(rows: list[EnvHealth]) -> int:
    """0 all well, 2 something needs attention, 1 an environment could not be checked."""
    if any(r.state == "error" for r in rows):
        return 1
    return 2 if any(r.state == "attention" for r in rows) else 0


def age_text(created: datetime) -> str:
    hours = (utc_now() - created).total_seconds() / 3600
    return f"{hours:.0f}h" if hours < 48 else f"{hours / 24:.0f}d"


_STATE = {"ok": "[green]ok[/]", "attention": "[yellow]attention[/]", "error": "[red]error[/]"}


def show_health(out: Console, row: EnvHealth, root: Path) -> None:
    """One environment's health for people: a few lines under its name."""
    out.print(f"[bold]{row.name}[/] {row.target} {_STATE[row.state]}")
    if row.error:
        out.print(f"  error: {row.error}")
        return
    table = Table(box=None, show_header=False, padding=(0, 1))
    table.add_column(style="dim")
    table.add_column()
    pending = row.pending_migrations
    table.add_row("schema", f"{row.schema_version or 'unknown'} (target {row.target_version})")
    table.add_row("pending", "unknown" if pending is None else (", ".join(pending) or "none"))
    drift = {None: "not checked", True: "yes", False: "no"}[row.drift]
    table.add_row("drift", f"{drift}: {row.drift_note}" if row.drift_note else drift)
    backup = row.last_backup
    table.add_row(
        "last backup",
        f"{backup.kind}, {backup.age_hours:g} h ago, verified: {backup.verified}, "
        f"{human_size(backup.bytes)} ({relative(Path(backup.file), root)})"
        if backup
        else "none",
    )
    if row.recovery:
        table.add_row("recovery", row.recovery)
    if row.free_bytes is not None and row.total_bytes:
        percent = 100 * row.free_bytes / row.total_bytes
        table.add_row(
            "backup space",
            f"{human_size(row.free_bytes)} free ({percent:.0f}%) in {row.backup_dir}",
        )
    size = f"{human_size(row.size_bytes)} in {row.tables} tables and views"
    if row.growth is not None:
        pct = row.growth.percent
        size += (
            f"; full backups since {row.growth.since}: {human_size(row.growth.sql_bytes_then)} -> "
            f"{human_size(row.growth.sql_bytes_now)} of SQL"
            + (f" ({pct:+.0f}%)" if pct is not None else "")
            + f", {row.growth.rows_then:,} -> {row.growth.rows_now:,} rows"
        )
    table.add_row("size", size)
    out.print(table)
    for line in row.attention:
        out.print(f"  [yellow]attention:[/] {line}")
