"""`backup ENV --binlogs`: copy the server's binary logs into the backup folder.

`<backup dir>/binlogs/<env>/` (0700) holds each log under its server name (0600) with a
`<name>.manifest.json`: sha256, size, first and last event time, GTID range, whether the
file is complete (ended by a Rotate or Stop event) or the prefix of the log the server is
still writing, and when it was copied. A file counts as archived only once its manifest
exists, and it is copied to `.incoming/` first and renamed into place whole, so a run
killed at any moment leaves nothing counted that is torn; the next run copies it again.
Complete files are never copied twice (incremental, resumable); the log being written is
copied again when it has grown. One run at a time holds `.lock` (cron every few minutes
is safe; `--follow` holds it while it runs).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mrpplan.backup.binlog_events import read_log
from mrpplan.backup.dump import ensure_backup_dir
from mrpplan.backup.manifest import write_private
from mrpplan.config.settings import Environment
from mrpplan.errors import BackupError, Refused
from mrpplan.mysql.binlog import HOW_TO_TURN_ON, binlog_state, check_tool, copy_raw
from mrpplan.mysql.connection import session

SUFFIX = ".manifest.json"
INCOMING = ".incoming"


@dataclass
class ArchivedLog:
    """The manifest of one archived binary log file."""

    name: str
    size: int
    sha256: str
    complete: bool
    copied_at: float  # unix seconds when the copy started: it holds every commit before
    first_time: int | None = None
    last_time: int | None = None
    gtid_first: str | None = None
    gtid_last: str | None = None
    transactions: int = 0
    format_version: int = 1

    @property
    def sequence(self) -> int:
        return log_sequence(self.name)


@dataclass
class ArchiveRun:
    copied: list[ArchivedLog] = field(default_factory=list)
    unchanged: int = 0
    pruned: list[str] = field(default_factory=list)


def archive_dir(env: Environment) -> Path:
    return env.backup.dir / "binlogs" / env.name


def log_sequence(name: str) -> int:
    """mariadb-bin.000042 -> 42."""
    tail = name.rsplit(".", 1)[-1]
    return int(tail) if tail.isdigit() else -1


def read_archive(folder: Path) -> list[ArchivedLog]:
    """The archived logs (those with a manifest), oldest first."""
    found: list[ArchivedLog] = []
    if not folder.is_dir():
        return found
    for path in folder.glob("*" + SUFFIX):
        try:
            data = json.loads(path.read_text())
            known = {k: v for k, v in data.items() if k in ArchivedLog.__dataclass_fields__}
            found.append(ArchivedLog(**known))
        except (OSError, ValueError, TypeError):
            continue  # an unreadable manifest: the file does not count (a gap)
    return sorted(found, key=lambda log: log.sequence)


def file_sha256(path: Path, length: int | None = None) -> str:
    """Of the whole file, or of its first `length` bytes (a replay's stretch of a log that
    is still growing in the archive)."""
    digest = hashlib.sha256()
    left = -1 if length is None else length
    with path.open("rb") as handle:
        while left != 0 and (chunk := handle.read(1 << 20 if left < 0 else min(left, 1 << 20))):
            digest.update(chunk)
            left = left - len(chunk) if left > 0 else left
    return digest.hexdigest()


@contextlib.contextmanager
def archive_lock(folder: Path, wait: float = 0.0) -> Iterator[None]:
    """One archive run per folder; another run waits `wait` seconds, then is refused."""
    with open(folder / ".lock", "a+") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    raise Refused(
                        f"another `backup --binlogs` is archiving into {folder} ({holder}); "
                        "nothing was copied by this run",
                        hint="it goes on with the copy; run again later (or stop the other "
                        "run, e.g. a --follow)",
                    ) from None
                time.sleep(0.1)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()


def archive_binlogs(env: Environment, *, keep_from: str | None = None) -> ArchiveRun:
    """Copy what is new on the server; then drop archived logs older than `keep_from` (the
    log of the oldest kept full backup's position)."""
    check_tool()
    folder = ensure_backup_dir(archive_dir(env))
    with archive_lock(folder):
        return _archive(env, folder, keep_from)


def follow_binlogs(
    env: Environment,
    *,
    interval: float,
    on_run: Callable[[ArchiveRun], None],
    keep_from: Callable[[], str | None],
    stop: Callable[[], bool],
) -> None:
    """Archive every `interval` seconds until `stop()`, holding the lock throughout."""
    check_tool()
    folder = ensure_backup_dir(archive_dir(env))
    with archive_lock(folder):
        while not stop():
            on_run(_archive(env, folder, keep_from()))
            deadline = time.monotonic() + interval
            while time.monotonic() < deadline and not stop():
                time.sleep(0.1)


def _archive(env: Environment, folder: Path, keep_from: str | None) -> ArchiveRun:
    with session(env.connection, database=None) as conn:
        state = binlog_state(conn, files=True)
    refusal = state.refusal()
    if refusal:
        raise BackupError(
            f"cannot archive binary logs of {env.name}: {refusal}. Nothing was copied.",
            hint=HOW_TO_TURN_ON,
        )
    run = ArchiveRun()
    archived = {log.name: log for log in read_archive(folder)}
    incoming = folder / INCOMING
    incoming.mkdir(mode=0o700, exist_ok=True)
    oldest = log_sequence(keep_from) if keep_from else -1
    for name, size in state.files:
        if log_sequence(name) < oldest:
            continue  # older than every kept full backup: no restore needs it
        before = archived.get(name)
        if before is not None and before.complete:
            run.unchanged += 1
            continue
        started = time.time()
        if before is not None and before.size == size and (folder / name).is_file():
            before.copied_at = started  # nothing new was committed to it since
            _write_manifest(folder, before)
            run.unchanged += 1
            continue
        final = name != state.files[-1][0]  # the server writes only to the last one
        run.copied.append(_copy(env, folder, incoming, name, started, size if final else None))
    run.pruned = prune(folder, keep_from)
    return run


def _copy(
    env: Environment, folder: Path, incoming: Path, name: str, started: float, final: int | None
) -> ArchivedLog:
    """Copy into `.incoming/<pid>.<name>`, check it is whole (every event complete; a
    closed log as long as the server says), then rename it into place, manifest last."""
    staged = copy_raw(env.connection, name, incoming / f"{os.getpid()}.")
    os.chmod(staged, 0o600)
    try:
        index = read_log(staged)
        if final is not None and (index.size != final or not index.closed):
            raise BackupError(
                f"the copy of {name} has {index.size} bytes, the server's {final}: "
                "not archived (run again)"
            )
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    log = ArchivedLog(
        name=name,
        size=index.size,
        sha256=file_sha256(staged),
        complete=index.closed,
        copied_at=started,
        first_time=index.first_time,
        last_time=index.last_time,
        gtid_first=index.gtid_first,
        gtid_last=index.gtid_last,
        transactions=len(index.transactions),
    )
    os.replace(staged, folder / name)
    _write_manifest(folder, log)
    return log


def _write_manifest(folder: Path, log: ArchivedLog) -> None:
    write_private(folder / (log.name + SUFFIX), json.dumps(asdict(log), indent=2) + "\n")


def prune(folder: Path, keep_from: str | None) -> list[str]:
    """Remove complete archived logs older than `keep_from` (None: keep everything)."""
    if keep_from is None:
        return []
    oldest = log_sequence(keep_from)
    gone = []
    for log in read_archive(folder):
        if log.complete and 0 <= log.sequence < oldest:
            (folder / (log.name + SUFFIX)).unlink(missing_ok=True)
            (folder / log.name).unlink(missing_ok=True)
            gone.append(log.name)
    shutil.rmtree(folder / INCOMING, ignore_errors=True)
    return gone
