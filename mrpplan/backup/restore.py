"""Restore a backup into an environment: verify first, optionally take a rollback point,
stream the file into the `mariadb` client, compare the result with the manifest, and put
the rollback point back if the load fails part-way."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from pathlib import Path

from mrpplan.backup.checkpoint import restore_checkpoint
from mrpplan.backup.dump import create_backup, is_internal
from mrpplan.backup.impact import RestoreImpact, assess_restore
from mrpplan.backup.load import load_file
from mrpplan.backup.manifest import Manifest, read_manifest
from mrpplan.backup.progress import Progress
from mrpplan.backup.verify import compare_with_manifest, verify_backup
from mrpplan.config.settings import Environment
from mrpplan.errors import BackupError, MrpplanError
from mrpplan.mysql.connection import connect
from mrpplan.mysql.quote import ident
from mrpplan.mysql.table_stats import base_tables, checksums_in_parallel
from mrpplan.mysql.triggers import create_triggers, drop_triggers, triggers_on

__all__ = ["RestoreImpact", "RestoreResult", "assess_restore", "restore_backup"]


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    manifest: Manifest
    rollback: Path | None
    seconds: float


def restore_backup(
    env: Environment,
    path: Path,
    *,
    backup_first: bool = False,
    progress: Progress | None = None,
    verified: bool = False,
) -> RestoreResult:
    """Load `path` into env's database. A corrupt file never touches the database.

    `verified=True` skips the file check when the caller has just verified it.
    """
    started = time.monotonic()
    settings = env.connection
    database = settings.database
    manifest = read_manifest(path) if verified else verify_backup(path, progress=progress).manifest
    before = _live_tables(env)
    if manifest.kind == "data":
        missing = sorted(set(manifest.tables) - set(before))
        if missing:
            raise BackupError(
                f"{path.name} is a data-only backup and table(s) {', '.join(missing)} do not exist "
                f"in {database}",
                unchanged="Nothing was changed.",
                hint="restore a schema backup first, or use a full backup",
            )
    rollback = None
    if backup_first:
        rollback = create_backup(
            env, "rollback", label=f"before restoring {path.name}", progress=progress
        ).path
    try:
        if manifest.kind == "data":
            _load_rows(env, path, list(manifest.tables), progress)
        else:
            load_file(path, settings, database, progress=progress, what=f"restoring {path.name}")
    except (MrpplanError, KeyboardInterrupt) as exc:
        reason = exc.message if isinstance(exc, MrpplanError) else "interrupted"
        if rollback is None:
            raise BackupError(
                f"restore of {path.name} into {database} failed part-way: {reason}",
                unchanged="The database may be partly restored; no rollback point was taken.",
                hint="restore a backup again, or take one with --backup-first next time",
            ) from None
        _roll_back(env, rollback, created=set(manifest.tables) - set(before))
        raise BackupError(
            f"restore of {path.name} into {database} failed part-way: {reason}",
            unchanged=f"The database was put back as it was (rollback point {rollback.name}).",
        ) from None
    found = checksums_in_parallel(settings, database, list(manifest.tables))
    problems = compare_with_manifest(manifest, found)
    if problems:
        raise BackupError(
            f"{path.name} was loaded into {database}, but the tables differ from its manifest: "
            + "; ".join(problems[:5]),
            hint="a backup taken while the database was being written to can differ; "
            + (f"the rollback point is {rollback.name}" if rollback else "check the data"),
        )
    return RestoreResult(path, manifest, rollback, round(time.monotonic() - started, 3))


def _live_tables(env: Environment) -> list[str]:
    conn = connect(env.connection)
    try:
        return [t for t in base_tables(conn, env.connection.database) if not is_internal(t)]
    finally:
        conn.close()


def _load_rows(env: Environment, path: Path, tables: list[str], progress: Progress | None) -> None:
    """Data-only restore: triggers set aside (they must not fire on reloaded rows), tables
    emptied, rows loaded, triggers put back (also when the load fails)."""
    settings = env.connection
    conn = connect(settings)
    try:
        saved = triggers_on(conn, settings.database, tables)
        drop_triggers(conn, settings.database, saved)
        try:
            _empty_tables(env, tables)
            load_file(
                path, settings, settings.database, progress=progress, what=f"restoring {path.name}"
            )
        finally:
            create_triggers(conn, settings.database, saved)
    finally:
        conn.close()


def _empty_tables(env: Environment, tables: list[str]) -> None:
    """A data-only restore replaces the rows: empty the tables first (FK checks off here only)."""
    conn = connect(env.connection)
    try:
        with conn.cursor() as cur:
            cur.execute("SET SESSION foreign_key_checks = 0")
            for table in tables:
                try:
                    cur.execute(f"TRUNCATE TABLE {ident(table)}")
                except Exception:
                    cur.execute(f"DELETE FROM {ident(table)}")
    finally:
        conn.close()


def _roll_back(env: Environment, rollback: Path, *, created: set[str]) -> None:
    """Drop what the failed load created, then load the rollback point."""
    conn = connect(env.connection)
    try:
        with conn.cursor() as cur:
            cur.execute("SET SESSION foreign_key_checks = 0")
            for table in sorted(created):
                with contextlib.suppress(Exception):
                    cur.execute(f"DROP TABLE IF EXISTS {ident(table)}")
    finally:
        conn.close()
    try:
        restore_checkpoint(env, rollback)
    except MrpplanError as exc:
        raise BackupError(
            f"the restore failed and putting back the rollback point {rollback} failed too: "
            f"{exc.message}",
            hint=f"restore it by hand: mrpplan restore {env.name} {rollback}",
        ) from None
