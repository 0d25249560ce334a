"""Backup files being written: `.name.partial`, renamed into place only when complete.

The writer holds an exclusive flock on the partial file for as long as it lives. The
kernel drops the lock when the process dies (even by SIGKILL), so a partial file whose
lock can be taken has no writer: it is stale, and `backup --cleanup` removes it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

SUFFIX = ".partial"


def partial_name(path: Path) -> Path:
    return path.with_name(f".{path.name}{SUFFIX}")


def piece_name(partial: Path, index: int) -> Path:
    """The partial file of one piece of a parallel dump (`.name.part1.partial`)."""
    return partial.with_name(f"{partial.name[: -len(SUFFIX)]}.part{index}{SUFFIX}")


def backup_file_name(partial: Path) -> str:
    """The name of the backup a partial file (or a piece of it) was going to become."""
    name = partial.name[1 : -len(SUFFIX)]
    return re.sub(r"\.part\d+$", "", name)


@contextlib.contextmanager
def writing(partial: Path) -> Iterator[Path]:
    """Create `partial` (0600) and hold its lock until the block ends; remove it if the
    block fails. The caller renames it into place inside the block when it is complete."""
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield partial
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    finally:
        os.close(fd)


def stale_partials(folders: Iterable[Path]) -> list[Path]:
    """Partial files in `folders` that no living process is writing."""
    found = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(f".*{SUFFIX}")):
            if _unlocked(path, remove=False):
                found.append(path)
    return found


def remove_stale(path: Path) -> bool:
    """Remove `path` if no process writes it (checked under its lock); True if removed."""
    return _unlocked(path, remove=True)


def _unlocked(path: Path, *, remove: bool) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a living backup is writing it
        if remove:
            same = os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
            if not same:
                return False
            path.unlink()
        return True
    except FileNotFoundError:
        return False
    finally:
        os.close(fd)
