"""Where a backup named on the command line is: as given, or by bare name in a backup folder.

The old scripts took `backup_file.sql.gz` and `rollback_TIMESTAMP.sql.gz` as bare names and
looked in database/backups/; people keep typing them that way.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from mrpplan.errors import BackupError


def locate_backup(given: Path, folders: Iterable[Path]) -> Path:
    """`given` if it exists; else, for a bare name, the first backup folder holding it.

    BackupError naming the folders searched when it is nowhere.
    """
    if given.is_file():
        return given
    searched = list(dict.fromkeys(Path(f) for f in folders))
    if given.parent == Path("."):
        for folder in searched:
            candidate = folder / given.name
            if candidate.is_file():
                return candidate
    where = f" (also looked in {', '.join(str(f) for f in searched)})" if searched else ""
    raise BackupError(
        f"{given}: no such backup file{where}",
        unchanged="Nothing was changed.",
        hint="see `mrpplan backup --list`",
    )
