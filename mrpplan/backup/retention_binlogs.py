"""Which archived binary logs retention must keep: from the oldest kept full backup on."""

from __future__ import annotations

from mrpplan.backup.binlog_archive import log_sequence
from mrpplan.backup.catalog import list_backups
from mrpplan.backup.manifest import read_manifest
from mrpplan.config.settings import Environment
from mrpplan.errors import BackupError


def oldest_needed(env: Environment) -> str | None:
    """The log file of the oldest full backup's position (None: keep every log, as when
    no full backup has a position yet)."""
    files = []
    for entry in list_backups([env.backup.dir], env.name):
        if entry.kind != "full":
            continue
        try:
            binlog = read_manifest(entry.path).binlog
        except BackupError:
            continue
        if not binlog:
            return None  # a backup without a position: keep all (it may be made usable)
        files.append(str(binlog["file"]))
    return min(files, key=log_sequence) if files else None
