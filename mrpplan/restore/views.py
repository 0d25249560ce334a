"""What `mrpplan backup` does besides planning and taking a backup (restore/take_backup.py):
list, verify, import an old backup.sh file, clean up past retention; each reports on the
screen it is given."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table

from mrpplan import sandbox
from mrpplan.backup.catalog import BackupEntry, list_backups
from mrpplan.backup.legacy import NO_CHECKSUMS, check_content, import_backup, is_legacy, kind_of
from mrpplan.backup.locate import locate_backup
from mrpplan.backup.manifest import read_manifest, utc_now
from mrpplan.backup.progress_bar import progress_for
from mrpplan.backup.retention import cleanup_backups
from mrpplan.backup.retention_binlogs import prune_archive
from mrpplan.backup.timings import mark
from mrpplan.backup.trial_load import trial_load
from mrpplan.backup.verify import VerifyReport, verify_backup
from mrpplan.config import Project
from mrpplan.config.settings import ConnectionSettings, Environment
from mrpplan.errors import ConfigError
from mrpplan.plan.screen import Screen
from mrpplan.plan.types import Plan
from mrpplan.restore.impact import (
    ACTIONS,
    HISTORY_ROWS,
    RestoreImpact,
    assess_restore,
)
from mrpplan.units import human_size, relative

if TYPE_CHECKING:  # the apply machinery is imported by the commands that write (start-up)
    from mrpplan.apply.gate import Writing

# an environment by name (`fleet=True`: a fleet too), as the command checks names
Lookup = Callable[..., Environment]


def _directories(project: Project, lookup: Lookup, env: str | None) -> list[Path]:
    names = [env] if env else project.environment_names()
    folders: list[Path] = []
    for name in names:
        try:
            found = lookup(name, fleet=True)
        except ConfigError:
            if env:
                raise
            continue
        here = [found.backup.dir]
        if found.is_fleet and found.backup.dir.is_dir():  # one folder per database
            here += sorted(p for p in found.backup.dir.iterdir() if p.is_dir())
        folders.extend(f for f in here if f not in folders)
    if not folders:
        folders.append(project.database_dir / "backups")
    return folders


def list_view(
    project: Project, screen: Screen, lookup: Lookup, env: str | None, as_json: bool
) -> bool:
    """`backup --list`: True when a table of backups was shown."""
    entries = list_backups(_directories(project, lookup, env), env)
    if as_json:
        screen.document(json.dumps([e.to_json() for e in entries], indent=2))
        return False
    if not entries:
        screen.out.print(f"No backups{' of ' + env if env else ''} yet.")
        return False
    table = backups_table(entries, project.root)
    # piped (no terminal): as wide as the rows need, so two file names never look the same
    if not screen.out.is_terminal:
        screen.out.width = 10_000
    screen.out.print(table)
    return True


def backups_table(entries: list[BackupEntry], root: Path, numbered: bool = False) -> Table:
    table = Table(box=None, header_style="bold")
    if numbered:
        table.add_column("#", justify="right")
    for column in ("file", "kind", "env", "size", "age", "verified"):
        table.add_column(
            column,
            justify="right" if column in ("size", "age") else "left",
            no_wrap=column == "file",
        )
    for i, e in enumerate(entries, 1):
        row = [
            relative(e.path, root),
            e.kind,
            e.env,
            human_size(e.size),
            _age(e.created),
            e.verified,
        ]
        table.add_row(*([str(i)] if numbered else []), *row)
    return table


def backup_folders(project: Project, lookup: Lookup) -> list[Path]:
    return [*_directories(project, lookup, None), project.database_dir / "backups"]


def import_file(
    project: Project, screen: Screen, lookup: Lookup, given: Path, env: Environment
) -> None:
    path = locate_backup(given, backup_folders(project, lookup))
    scratch = sandbox.up(sandbox.default_dir(project.root)).settings()
    target, manifest = import_backup(path, env, scratch, progress_for(screen.err))
    rows = sum(t.rows for t in manifest.tables.values())
    screen.out.print(
        f"Imported {path} as {relative(target, project.root)} ({manifest.kind} backup of"
        f" {env.name}, {len(manifest.tables)} tables, {rows:,} rows; manifest written)"
    )
    screen.out.print("  checked: " + ", ".join(("gzip stream", "trailer", "test load")))
    screen.err.print(f"[yellow]Warning:[/] {NO_CHECKSUMS}.")


def adopt_legacy(project: Project, screen: Screen, env: Environment, path: Path) -> Path:
    """`path` itself, or for a file with no manifest (old backup.sh) its imported copy."""
    if not is_legacy(path):
        return path
    screen.err.print(f"{path.name} has no manifest (made by the old backup.sh): importing it")
    scratch = sandbox.up(sandbox.default_dir(project.root)).settings()
    target, _ = import_backup(path, env, scratch, progress_for(screen.err))
    screen.err.print(f"[yellow]Warning:[/] {NO_CHECKSUMS}. Imported as {target.name}.")
    return target


def _verify_legacy(project: Project, screen: Screen, path: Path, deep: bool) -> None:
    content = check_content(path, progress_for(screen.err))
    checks = list(content.checks)
    if deep:
        scratch = sandbox.up(sandbox.default_dir(project.root)).settings()
        loaded = trial_load(path, scratch, kind=kind_of(path), progress=progress_for(screen.err))
        checks.append(f"test load ({len(loaded.tables)} tables)")
    screen.out.print(f"OK: {path} (no manifest: checked by content)")
    screen.out.print("  checked: " + ", ".join(checks))
    screen.err.print(
        f"[yellow]Warning:[/] {NO_CHECKSUMS}. `mrpplan backup import {path.name} ENV` adopts it"
        " (writes a manifest)."
    )


def verify(project: Project, screen: Screen, lookup: Lookup, given: Path, deep: bool) -> None:
    path = locate_backup(given, backup_folders(project, lookup))
    if is_legacy(path):
        _verify_legacy(project, screen, path, deep)
        return
    scratch: ConnectionSettings | None = None
    source: ConnectionSettings | None = None
    if deep:
        scratch = sandbox.up(sandbox.default_dir(project.root)).settings()
        manifest = read_manifest(path)
        if manifest.kind == "data":
            source = _env_or_none(lookup, manifest.env)
    report = verify_backup(
        path,
        deep=deep,
        scratch=scratch,
        schema_source=source,
        progress=progress_for(screen.err),
    )
    m = report.manifest
    screen.out.print(f"OK: {path} ({m.kind} backup of {m.env}/{m.database}, {m.created_at})")
    screen.out.print("  checked: " + ", ".join(report.checks))


def _env_or_none(lookup: Lookup, name: str) -> ConnectionSettings | None:
    try:
        env: Environment = lookup(name)
    except ConfigError:
        return None
    return env.connection


def cleanup(
    project: Project,
    screen: Screen,
    lookup: Lookup,
    env: str | None,
    days: int | None,
    dry_run: bool,
) -> None:
    names = [env] if env else project.environment_names()
    verb = "would delete" if dry_run else "deleted"
    total = 0
    for name in names:
        try:
            settings = lookup(name)
        except ConfigError as exc:
            if env:
                raise
            screen.err.print(f"warning: skipping {name}: {exc.message}")
            continue
        retention = settings.backup.retention_days if days is None else days
        result = cleanup_backups(
            [settings.backup.dir], retention_days=retention, env=name, dry_run=dry_run
        )
        for entry in result.deleted:
            total += 1
            screen.out.print(
                f"{verb}: {relative(entry.path, project.root)} "
                f"({entry.kind}, {_age(entry.created)} old)"
            )
        for partial in result.partials:
            total += 1
            screen.out.print(
                f"{verb}: {relative(partial, project.root)} (left by a backup that did not finish)"
            )
        gone = [e.path for e in result.deleted]
        for log in prune_archive(settings, dry_run=dry_run, deleted=gone):
            total += 1
            screen.out.print(f"{verb}: binary log {log} (older than every kept full backup)")
        for _entry, why in result.failed_verify:
            screen.err.print(f"warning: {why}")
        kept = [e for e in result.kept_last_good if e.created < _cutoff(retention)]
        for entry in kept:
            screen.out.print(
                f"kept: {relative(entry.path, project.root)} (older than {retention} days, "
                f"but the newest good {entry.kind} backup of {name})"
            )
    if total == 0:
        screen.out.print("Nothing to delete.")


def _cutoff(days: int) -> datetime:
    return utc_now() - timedelta(days=days)


def _age(created: datetime) -> str:
    seconds = max(0, int((utc_now() - created).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def show_impact(
    screen: Screen,
    env: Environment,
    path: Path,
    *,
    show_schema: bool,
    verified: VerifyReport | None = None,
) -> VerifyReport | None:
    """What a restore of `path` would change, table by table (a data-only backup whose rows
    do not fit is refused before anything is said); the verify pass's report."""
    impact = assess_restore(env, path, schema_diff=show_schema, verified=verified)
    if impact.manifest.kind == "data":
        _check_columns(env, path, impact)
    m = impact.manifest
    screen.out.print(
        f"Restore {impact.path.name} ({m.kind} backup of {m.env}/{m.database}, {m.created_at}) "
        f"into {impact.env} ({impact.database}); the file verified OK."
    )
    for note in impact.notes:
        screen.out.print(f"  note: {note}")
    table = Table(box=None, header_style="bold")
    for column in ("table", "action", "rows now", "rows in backup"):
        table.add_column(column, justify="right" if column.startswith("rows") else "left")
    for t in impact.tables:
        table.add_row(t.table, t.action, _n(t.rows_now), _n(t.rows_backup))
    screen.out.print(table)
    used = sorted({t.action for t in impact.tables})
    for action in used:
        screen.out.print(f"  {action}: {ACTIONS[action]}")
    if show_schema:
        if impact.schema_changes is None:
            screen.out.print(f"Schema: {impact.schema_note}")
        elif not impact.schema_changes and impact.manifest.kind == "data":
            screen.out.print(
                f"Schema: {impact.schema_note}; the backup's rows fit the live columns."
            )
        elif not impact.schema_changes:
            screen.out.print(f"Schema: the backup's schema matches live ({impact.schema_note}).")
        else:
            screen.out.print(f"Schema changes live -> backup ({impact.schema_note}):")
            for line in impact.schema_changes:
                screen.out.print(f"  {line}")
    return impact.report


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _check_columns(env: Environment, path: Path, impact: RestoreImpact) -> None:
    """Refuse a data-only backup whose rows do not fit before saying anything else."""
    from mrpplan.mysql.connection import session
    from mrpplan.restore.restore_plan import check_data_backup

    with session(env.connection) as conn:
        check_data_backup(
            conn, env.connection.database, path, impact.manifest, [t.table for t in impact.tables]
        )


def purge_trash(
    project: Project, screen: Screen, env: Environment, days: int | None, writing: Writing
) -> None:
    """Trash tables past retention go through a plan: shown, approved, run by the executor."""
    from mrpplan.apply.gate import carry_out
    from mrpplan.restore.purge_plan import due_trash, purge_plan

    retention = env.backup.retention_days if days is None else days
    if not due_trash(env, retention):
        screen.out.print(f"No trash tables of {env.name} older than {retention} days.")
        return
    result = carry_out(
        project,
        env,
        lambda: purge_plan(project, env, retention, wiring=writing.wiring),
        writing,
        screen,
    )
    if result is not None:
        screen.out.print(f"Purged {len(result.steps_run)} trash table(s) of {env.name}.")


def restore(
    project: Project,
    screen: Screen,
    env: Environment,
    path: Path,
    writing: Writing,
    deep: bool,
    allow_destructive: bool,
    backup_first: bool,
) -> None:
    """`mrpplan restore`: the file verified (`deep`: test-restored in the sandbox), what it
    would change shown, then the restore plan run the way every writing command runs."""
    from mrpplan.apply.gate import back_up_first, carry_out
    from mrpplan.restore.restore_plan import restore_plan

    mark("command started")
    path = adopt_legacy(project, screen, env, path)
    report: VerifyReport | None = None
    if deep:
        scratch = sandbox.up(sandbox.default_dir(project.root)).settings()
        report = verify_backup(
            path,
            deep=True,
            scratch=scratch,
            schema_source=env.connection,
            progress=progress_for(screen.err),
            schema_rows=HISTORY_ROWS,
        )
    # one pass over the file verifies it and keeps its schema text for the plan
    report = show_impact(screen, env, path, show_schema=writing.dry_run, verified=report)

    def build() -> Plan:
        now = datetime.now(UTC).replace(microsecond=0)
        return restore_plan(
            project, env, path, now, allow_destructive=allow_destructive, verified=report
        )

    before = back_up_first(screen, env, "rollback" if backup_first else None, "restore")
    result = carry_out(project, env, build, writing, screen, sql_on_dry_run=False, before=before)
    if result is not None:
        screen.out.print(
            f"Restored {path.name} into {env.name} ({env.connection.database}); row counts and "
            "checksums match the manifest (checked before the swap)."
        )
