"""A backup dumped by several `mariadb-dump` processes at once, under one snapshot.

One `mariadb-dump` is one server thread reading rows and one client formatting them; on a
multi-table database several of them run side by side. Each worker dumps its share of the
tables (largest first, balanced by size) through its own compressor into a piece file;
the pieces are then joined in order into the one backup file. A gzip (or zstd) file may
hold several members one after the other and decompresses to their concatenation, so
the result is still one `gunzip | mariadb`-restorable file. Each piece is a complete dump
of its tables (its own header and footer: the session settings are saved and restored
around each piece); views, routines and events come last, as in a single dump.

Consistency: every worker and the checksum pass start their snapshot while commits are
blocked (mysql/snapshot.py), so they all see the same point in time. A worker has its
snapshot once its first bytes arrive: mariadb-dump writes only its ~1 KB header before
`START TRANSACTION WITH CONSISTENT SNAPSHOT`, and its output is block-buffered (4 KB), so
nothing reaches the pipe before that. Where commits cannot be blocked (no RELOAD
privilege, MySQL, MariaDB before 10.4), the caller uses the single stream instead; so
it does when a worker does not start within SNAPSHOT_WAIT_SECONDS (its first table is
locked, say): commits are blocked no longer than that.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from mrpplan.backup.compression import Codec
from mrpplan.backup.partial import piece_name, writing
from mrpplan.backup.space import FULL_DISK
from mrpplan.backup.stream import CHUNK, DiskFull, WrittenFile, compress_to_file, write_all
from mrpplan.config.settings import ConnectionSettings
from mrpplan.errors import BackupError
from mrpplan.mysql.client_process import DumpSpec, ToolProcess, open_dump
from mrpplan.mysql.snapshot import CommitBlock

SNAPSHOT_WAIT_SECONDS = 5  # commits wait at most this long (a worker stuck on a lock)


class SnapshotTimeout(BackupError):
    """The workers did not all start in time; they are stopped and commits released."""


def split_tables(sizes: dict[str, int], workers: int) -> list[list[str]]:
    """Tables in `workers` groups of about equal bytes (largest first, each to the lightest
    group); each group in name order. Empty groups are dropped."""
    groups: list[tuple[int, list[str]]] = [(0, []) for _ in range(workers)]
    for name in sorted(sizes, key=lambda t: (-sizes[t], t)):
        lightest = min(range(workers), key=lambda i: groups[i][0])
        total, names = groups[lightest]
        groups[lightest] = (total + sizes[name], [*names, name])
    return [sorted(names) for _total, names in groups if names]


class _Worker(threading.Thread):
    """One mariadb-dump -> compressor -> piece file; notes when its first bytes arrive."""

    def __init__(
        self,
        settings: ConnectionSettings,
        spec: DumpSpec,
        piece: Path,
        codec: Codec,
        on_bytes: Callable[[int], None],
    ):
        super().__init__(daemon=True)
        self.settings, self.spec, self.piece, self.codec = settings, spec, piece, codec
        self.on_bytes = on_bytes
        self.started_snapshot = threading.Event()
        self.written: WrittenFile | None = None
        self.error: BaseException | None = None
        self.proc: ToolProcess | None = None
        self._stopped = False

    def _bytes(self, total: int) -> None:
        self.started_snapshot.set()
        self.on_bytes(total)

    def run(self) -> None:
        try:
            with open_dump(self.settings, self.spec) as dump:
                self.proc = dump
                if self._stopped:
                    raise BackupError("stopped")
                self.written = compress_to_file(
                    dump.stdout, self.piece, self.codec, self._bytes, stop_source=dump.kill
                )
                dump.check(f"backup of {self.settings.describe()}")
        except BaseException as exc:
            self.error = exc
        finally:
            self.started_snapshot.set()

    def stop(self) -> None:
        self._stopped = True
        if self.proc is not None:
            with contextlib.suppress(OSError):
                self.proc.kill()


def dump_parallel(
    settings: ConnectionSettings,
    spec: DumpSpec,
    groups: Sequence[Sequence[str]],
    dest: Path,
    codec: Codec,
    block: CommitBlock,
    *,
    others_started: threading.Event,
    on_bytes: Callable[[int], None] | None = None,
) -> WrittenFile:
    """Dump `groups` of tables in parallel (plus, for a whole-database spec with schema,
    views/routines/events last) into `dest`; one group is `spec` as one stream. `block`
    is released once every worker and the checksum pass (`others_started`) have their
    snapshot. Raises like the single stream."""
    counts = [0] * (len(groups) + 1)
    lock = threading.Lock()

    def progress(index: int) -> Callable[[int], None]:
        def advance(total: int) -> None:
            with lock:
                counts[index] = total
                if on_bytes:
                    on_bytes(sum(counts))

        return advance

    specs = [
        DumpSpec(spec.database, tuple(group), schema=spec.schema, data=spec.data, extra=spec.extra)
        for group in groups
    ]
    if len(groups) == 1:
        specs = [spec]  # one stream: its snapshot still agrees with the checksum pass
    elif spec.whole_database and spec.schema:  # views, routines, events: after every table
        tables = tuple(name for group in groups for name in group)
        specs.append(
            DumpSpec(spec.database, exclude=tables + spec.exclude, data=False, extra=spec.extra)
        )
    with contextlib.ExitStack() as pieces:
        paths = [pieces.enter_context(writing(piece_name(dest, i))) for i in range(len(specs))]
        workers = [
            _Worker(settings, s, p, codec, progress(i))
            for i, (s, p) in enumerate(zip(specs, paths, strict=True))
        ]
        try:
            for worker in workers:
                worker.start()
            started = _all_started([w.started_snapshot for w in workers] + [others_started])
        finally:
            block.release()
        if not started:
            for worker in workers:
                worker.stop()
                worker.join()
            raise SnapshotTimeout(
                f"the dump workers did not start within {SNAPSHOT_WAIT_SECONDS} s"
            )
        for worker in workers:
            worker.join()
        failed = [w.error for w in workers if w.error is not None]
        if failed:
            for worker in workers:
                worker.stop()
            full = [e for e in failed if isinstance(e, DiskFull)]
            raise full[0] if full else failed[0]
        return _join_pieces(paths, [w.written for w in workers], dest)


def _all_started(events: list[threading.Event]) -> bool:
    deadline = time.monotonic() + SNAPSHOT_WAIT_SECONDS
    return all(event.wait(max(0.0, deadline - time.monotonic())) for event in events)


def _join_pieces(paths: list[Path], written: list[WrittenFile | None], dest: Path) -> WrittenFile:
    """Join the pieces into `dest`: the first becomes `dest`, the others are appended (and
    removed one by one, so the disk holds at most one extra piece); hash the whole file."""
    done = [w for w in written if w is not None]
    if len(done) != len(paths):
        raise BackupError("a dump worker ended without writing its piece")
    os.replace(paths[0], dest)
    digest = hashlib.sha256()
    with dest.open("rb", buffering=0) as first:
        while chunk := first.read(CHUNK):
            digest.update(chunk)
    total = dest.stat().st_size
    fd = os.open(dest, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW)
    try:
        for path in paths[1:]:
            with path.open("rb", buffering=0) as piece:
                while chunk := piece.read(CHUNK):
                    digest.update(chunk)
                    try:
                        write_all(fd, chunk)
                    except OSError as exc:
                        if exc.errno in FULL_DISK:
                            raise DiskFull(dest, total, 0) from None
                        raise BackupError(f"writing {dest} failed: {exc.strerror}") from None
                    total += len(chunk)
            path.unlink()
    finally:
        os.close(fd)
    whole = all(w.has_trailer for w in done)  # every piece is a complete dump
    return WrittenFile(
        digest.hexdigest(), total, sum(w.sql_bytes for w in done), done[-1].tail if whole else b""
    )
