"""Is there room for a backup? Checked before the dump starts; the same words when a disk
fills half-way, so a user learns one message: "no space left on DIR (needed about X, free Y)".

The estimate is the tables' bytes on disk (information_schema data_length + index_length)
times a compression ratio. Measured here on the bench's multi-table database, a gzip -1
dump is 0.13-0.2 of data+index (indexes are not dumped, SQL text compresses 4-5x); 0.3
keeps a margin for data that compresses worse. Random binary data can still beat the
estimate: then the write fails half-way, quickly, with the same message.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from mrpplan.errors import BackupError
from mrpplan.units import human_size

COMPRESSED_PER_STORED_BYTE = 0.3
SCHEMA_BYTES_PER_TABLE = 4096  # CREATE TABLE text, triggers; compressed
FULL_DISK = (errno.ENOSPC, errno.EDQUOT)
UNCHANGED = "No backup was written; the database was only read, nothing was changed."


class NoSpace(BackupError):
    """The backup folder's filesystem has (or had) too little room."""

    def __init__(self, folder: Path, needed: int, free: int, *, more_than: bool = False):
        how = "more than" if more_than else "about"
        super().__init__(
            f"no space left on {folder} (needed {how} {human_size(needed)}, "
            f"free {human_size(free)})",
            unchanged=UNCHANGED,
            hint="free some space, or point backup.dir at a larger disk; "
            "`mrpplan backup --cleanup` removes old backups and stale .partial files",
        )
        self.folder, self.needed, self.free = folder, needed, free


def estimated_size(stored_bytes: int, tables: int, kind: str) -> int:
    """Bytes the compressed backup file will take, about."""
    schema = SCHEMA_BYTES_PER_TABLE * tables
    if kind == "schema":
        return schema
    return schema + int(stored_bytes * COMPRESSED_PER_STORED_BYTE)


def free_space(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def check_room(folder: Path, needed: int) -> int:
    """Free bytes in `folder`; NoSpace if `needed` does not fit."""
    free = free_space(folder)
    if needed > free:
        raise NoSpace(folder, needed, free)
    return free
