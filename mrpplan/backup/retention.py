"""Retention: delete backups older than N days, but ALWAYS keep the newest backup of each
kind per environment that verifies now; remove stale `.partial` files (their writer died:
see partial.py). Trash tables (`_mrpplan_trash_<ts>_<table>`) older than the same
retention are purged by a plan (restore/purge_plan.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from mrpplan.backup.catalog import BackupEntry, list_backups
from mrpplan.backup.manifest import manifest_path, parse_backup_name, utc_now
from mrpplan.backup.partial import backup_file_name, remove_stale, stale_partials
from mrpplan.backup.verify import verify_backup
from mrpplan.errors import BackupError

TRASH = re.compile(r"^_mrpplan_trash_(\d{8})T?(\d{6})Z?_")


@dataclass
class CleanupResult:
    deleted: list[BackupEntry] = field(default_factory=list)
    kept_last_good: list[BackupEntry] = field(default_factory=list)
    failed_verify: list[tuple[BackupEntry, str]] = field(default_factory=list)
    trash_tables: list[str] = field(default_factory=list)  # purged (or to purge in dry-run)
    partials: list[Path] = field(default_factory=list)  # stale partial files removed
    dry_run: bool = False


def cleanup_backups(
    directories: Iterable[Path],
    *,
    retention_days: int,
    env: str | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> CleanupResult:
    """Delete (or list, with dry_run) backups past retention, keeping each group's last good one."""
    if retention_days < 0:
        raise BackupError("retention days must be 0 or more")
    now = now or utc_now()
    cutoff = now - timedelta(days=retention_days)
    result = CleanupResult(dry_run=dry_run)
    groups: dict[tuple[str, str], list[BackupEntry]] = {}
    folders = list(directories)
    for entry in list_backups(folders, env):
        groups.setdefault((entry.env, entry.kind), []).append(entry)
    for entries in groups.values():  # each newest first
        old = [e for e in entries if e.created < cutoff]
        if not old:
            continue
        keep = _newest_good(entries, result)
        if keep is not None:
            result.kept_last_good.append(keep)
        for entry in old:
            if entry is keep:
                continue
            result.deleted.append(entry)
            if not dry_run:
                entry.path.unlink(missing_ok=True)
                manifest_path(entry.path).unlink(missing_ok=True)
    for partial in stale_partials(folders):
        parsed = parse_backup_name(backup_file_name(partial))
        if env and (parsed is None or parsed[1] != env):
            continue
        if dry_run or remove_stale(partial):
            result.partials.append(partial)
    return result


def _newest_good(entries: list[BackupEntry], result: CleanupResult) -> BackupEntry | None:
    """The newest backup that passes a quick verify now (never deleted)."""
    for entry in entries:
        try:
            verify_backup(entry.path)
            return entry
        except BackupError as exc:
            result.failed_verify.append((entry, exc.message))
    return None
