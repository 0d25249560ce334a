"""Which archived binary logs retention must keep: from the oldest kept full backup on."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from mrpplan.backup.binlog_archive import (
    archive_dir,
    archive_lock,
    log_sequence,
    prune,
    read_archive,
)
from mrpplan.backup.catalog import list_backups
from mrpplan.backup.manifest import read_manifest
from mrpplan.config.settings import Environment
from mrpplan.errors import BackupError


def oldest_needed(env: Environment, excluding: Collection[Path] = ()) -> str | None:
    """The log file of the oldest full backup's position (None: keep every log, as when
    no full backup has a position yet)."""
    files = []
    for entry in list_backups([env.backup.dir], env.name):
        if entry.kind != "full" or entry.path in excluding:
            continue
        try:
            binlog = read_manifest(entry.path).binlog
        except BackupError:
            continue
        if not binlog:
            return None  # a backup without a position: keep all (it may be made usable)
        files.append(str(binlog["file"]))
    return min(files, key=log_sequence) if files else None


def prune_archive(env: Environment, *, dry_run: bool, deleted: Collection[Path] = ()) -> list[str]:
    """`backup --cleanup`: the archived logs no kept full backup needs (removed unless
    `dry_run`; `deleted`: the backups the cleanup deletes or would delete), under the
    archive's lock (a running copy is waited for up to 30 s)."""
    folder = archive_dir(env)
    keep_from = oldest_needed(env, deleted)
    if keep_from is None or not folder.is_dir():
        return []
    if dry_run:
        oldest = log_sequence(keep_from)
        return [log.name for log in read_archive(folder) if log.complete and log.sequence < oldest]
    with archive_lock(folder, wait=30):
        return prune(folder, keep_from)
