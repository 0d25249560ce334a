"""Take a backup: mariadb-dump -> compressor -> file, sha256 while streaming, manifest beside it.

Tables whose names start with `_mrpplan` (trash of dropped tables, scratch tables) are
mrpplan's temporaries and are left out of full and data backups: they are already copies
made by an apply and are purged by retention. mrpplan's own `mrpplan_*` history tables
(schema/seed history, apply journal) ARE kept: they say which schema version the data
belongs to, and a restore must bring the history back together with the schema it describes.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mrpplan.backup.cluster_node import backup_settings, desync_for_dump
from mrpplan.backup.compression import Codec, codec_named
from mrpplan.backup.manifest import (
    KINDS,
    Manifest,
    TableStats,
    backup_name,
    iso,
    tool_info,
    utc_now,
    write_manifest,
)
from mrpplan.backup.parallel_dump import SnapshotTimeout, dump_parallel, split_tables
from mrpplan.backup.partial import partial_name, writing
from mrpplan.backup.progress import NoProgress, Progress
from mrpplan.backup.space import FULL_DISK, NoSpace, check_room, estimated_size
from mrpplan.backup.stream import DiskFull, WrittenFile, compress_to_file
from mrpplan.backup.timings import mark
from mrpplan.config.settings import ConnectionSettings, Environment
from mrpplan.errors import BackupError, MrpplanError
from mrpplan.mysql.binlog import binlog_state, current_position
from mrpplan.mysql.client_process import DumpSpec, child_env, dump_tool, open_dump
from mrpplan.mysql.connection import kill_query, server_version, session
from mrpplan.mysql.snapshot import CommitBlock, TablesBusy, hold_still, wait_until_readable
from mrpplan.mysql.table_stats import (
    base_tables,
    sizes_by_table,
    snapshot_checksums,
    stored_sizes,
    table_checksums,
    views,
)

__all__ = ["BackupResult", "create_backup", "ensure_backup_dir", "is_internal", "table_checksums"]

INTERNAL_PREFIX = "_mrpplan"
PARALLEL_MIN_BYTES = 32 << 20  # below this a second dump worker saves less than it costs
START_ATTEMPTS = 5  # starts of the dump at one point in time before the backup gives up
UNHELD = (
    "the tables could not be held still for a moment (that needs RELOAD, or LOCK TABLES on "
    "them): the checksums come from a snapshot of their own, so a table written while the "
    "backup started fails restore's manifest check"
)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: Manifest
    notes: tuple[str, ...] = ()

    @property
    def seconds(self) -> float:
        return self.manifest.duration_seconds


def is_internal(table: str) -> bool:
    """mrpplan's temporaries (trash/scratch tables), never part of a backup."""
    return table.startswith(INTERNAL_PREFIX)


def ensure_backup_dir(directory: Path) -> Path:
    """Create the backup folder 0700 (and tighten it if it exists), and prove it takes files.

    Checked before the dump starts, so a folder that cannot be used stops the command
    before anything is read or written, with the folder and the reason in the message.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if directory.stat().st_uid == os.geteuid():
            os.chmod(directory, 0o700)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if isinstance(exc, FileExistsError) or (directory.exists() and not directory.is_dir()):
            reason = "it exists but is not a folder"
        raise BackupError(
            f"backup folder {directory} cannot be used: {reason}. Nothing was changed.",
            hint="make it a folder this user can write (mkdir -p DIR; chmod 700 DIR), or point "
            "backup.dir in the environment file elsewhere",
        ) from None
    return directory


def create_backup(
    env: Environment,
    kind: str = "full",
    *,
    tables: Sequence[str] = (),
    compression: str = "gzip",
    label: str = "",
    progress: Progress | None = None,
    directory: Path | None = None,
) -> BackupResult:
    """Dump env's database into `<backup dir>/<name>.sql.gz` and write its manifest."""
    if kind not in KINDS:
        raise BackupError(f"unknown backup kind {kind!r} (one of {', '.join(KINDS)})")
    progress = progress or NoProgress()
    codec = codec_named(compression)
    folder = ensure_backup_dir(directory or env.backup.dir)
    settings = backup_settings(env)  # on a Galera cluster: the chosen node
    database = settings.database
    started = time.monotonic()
    moment = utc_now()
    path = _free_name(folder, kind, env.name, moment, codec.suffix)

    with session(settings) as conn:
        version = server_version(conn)
        every = base_tables(conn, database)
        present = [t for t in every if not is_internal(t)]
        internal = [t for t in every if is_internal(t)]
        wanted, absent = _select_tables(present, tables, kind, database)
        view_names = [] if tables else views(conn, database)
        sizes = sizes_by_table(conn, database, wanted)
        stored = stored_sizes(conn, database, wanted) if wanted else 0
        logged = kind in ("full", "data") and not tables and binlog_state(conn).log_bin
    estimate = sum(sizes.values())
    needed = estimated_size(stored, len(wanted), kind)
    free = check_room(folder, needed)

    spec = DumpSpec(
        database=database,
        tables=tuple(wanted) if tables else (),
        exclude=tuple(internal) if not tables else (),
        schema=kind != "data",
        data=kind != "schema",
    )
    groups = split_tables(sizes, _workers(kind, estimate)) if kind != "schema" else []
    desynced = desync_for_dump(settings)
    title = f"backup {env.name} ({kind})"
    progress.start(title, estimate or None)
    mark("dump started")
    try:
        with writing(partial_name(path)) as partial:
            if tables and not wanted:
                dumped = _Dumped(_write_empty(partial, codec, database))
            else:
                bar = _Bar(progress, title, estimate or None)
                dumped = _dump(settings, spec, groups, partial, codec, bar, logged)
            written, position = dumped.written, dumped.position
            if not written.has_trailer:
                raise BackupError(
                    f"backup of {settings.describe()} is incomplete: the dump ended without "
                    "its '-- Dump completed' trailer"
                )
            mark("checksums done")
            os.replace(partial, path)
    except DiskFull as full:
        # the file so far, scaled by how much of the data it holds (when that is known)
        share = max(1.0, estimate / full.sql_bytes) if full.sql_bytes else 1.0
        projected = max(needed, int(full.written * share))
        raise NoSpace(folder, projected, free, more_than=projected <= free) from None
    finally:
        if desynced is not None:
            desynced.release()
        progress.finish()

    table_stats = (
        {t: TableStats(0, 0) for t in wanted}
        if kind == "schema"
        else {
            t: TableStats(int(v["rows"] or 0), v["checksum"]) for t, v in dumped.checksums.items()
        }
    )
    manifest = Manifest(
        kind=kind,
        env=env.name,
        database=database,
        server_version=version,
        created_at=iso(moment),
        file=path.name,
        compression=codec.name,
        sha256=written.sha256,
        compressed_bytes=written.compressed_bytes,
        sql_bytes=written.sql_bytes,
        tables=table_stats,
        views=view_names if kind != "data" else [],
        absent_tables=absent,
        label=label,
        tool=tool_info(_dump_version()),
        duration_seconds=round(time.monotonic() - started, 3),
        cluster=desynced.position if desynced is not None else None,
        binlog=position,
    )
    try:
        write_manifest(path, manifest)
    except OSError as exc:
        path.unlink(missing_ok=True)  # a backup without its manifest cannot be verified
        if exc.errno in FULL_DISK:
            raise NoSpace(folder, needed, free) from None
        raise BackupError(f"writing the manifest of {path.name} failed: {exc.strerror}") from None
    notes = dumped.notes
    if logged and position is None:
        notes += (
            "no binary-log position recorded (commits could not be blocked for a moment: that "
            "needs the RELOAD and BINLOG MONITOR privileges, and no other session's table lock "
            "in the way): point-in-time restore cannot start from this backup",
        )
    return BackupResult(path, manifest, notes)


@dataclass(frozen=True)
class _Bar:
    """The backup's progress, which says so while it waits for another session's lock."""

    sink: Progress
    title: str
    total: int | None

    def advance(self, done: int) -> None:
        self.sink.advance(done)

    def waiting(self) -> None:
        self.sink.start(f"{self.title}: waiting for another session's lock on its tables", None)

    def restart(self) -> None:
        self.sink.start(self.title, self.total)


@dataclass(frozen=True)
class _Dumped:
    written: WrittenFile
    checksums: dict[str, dict[str, int | None]] = field(default_factory=dict)
    position: dict[str, object] | None = None
    notes: tuple[str, ...] = ()


def _dump(
    settings: ConnectionSettings,
    spec: DumpSpec,
    groups: list[list[str]],
    partial: Path,
    codec: Codec,
    progress: _Bar,
    logged: bool,
) -> _Dumped:
    """The dump, its checksums and its binary-log position, all of one point in time.

    The dump workers and the checksum sessions start their snapshots while the tables are
    held still (mysql/snapshot.py), and the hold ends as soon as every one has started (at
    most SNAPSHOT_WAIT_SECONDS: a worker may be stuck on a table another session locked).
    When another session's lock is in the way, of the hold or of a worker, nothing of that
    start is kept: the backup waits until the tables can be read, as mariadb-dump would,
    and starts again, so the file and its manifest still describe one moment. Checksums
    taken in a snapshot of their own would not: rows committed between the two snapshots
    make restore's manifest check refuse the file (found in CI: a table locked at the start
    of a backup made it fall back to exactly that).
    """
    if not groups:  # no rows: nothing to hold still, no checksums
        written = _single_stream(settings, spec, partial, codec, progress)
        return _Dumped(written, position=_position(None, settings, logged))
    tables = [t for group in groups for t in group]
    for _attempt in range(START_ATTEMPTS):
        try:
            hold = hold_still(settings, spec.database, tables)
        except TablesBusy:
            _wait_until_readable(settings, spec.database, tables, progress)
            continue
        position = _position(hold, settings, no_tables=False) if logged else None
        stats = _Stats(settings, spec.database, groups if hold else [tables])
        try:
            if hold is None:
                written = _single_stream(settings, spec, partial, codec, progress)
            else:
                written = dump_parallel(
                    settings,
                    spec,
                    groups,
                    partial,
                    codec,
                    hold,
                    others_started=stats.started,
                    on_bytes=progress.advance,
                )
            mark("dump finished")
            stats.wait()
            return _Dumped(written, stats.result, position, () if hold else (UNHELD,))
        except SnapshotTimeout:
            stats.cancel()
        except BaseException:
            stats.cancel()
            raise
        finally:
            if hold is not None:
                hold.release()
        _wait_until_readable(settings, spec.database, tables, progress)
    raise BackupError(
        f"backup of {settings.describe()} did not start: {START_ATTEMPTS} times a table was "
        "locked again by another session before every dump session had its snapshot. "
        "Nothing was written.",
        hint="find the session locking the tables (SHOW PROCESSLIST) and run the backup again",
    )


def _wait_until_readable(
    settings: ConnectionSettings, database: str, tables: list[str], progress: _Bar
) -> None:
    """Wait, saying so, until no other session's lock keeps the tables from being read."""
    progress.waiting()
    wait_until_readable(settings, database, tables)
    progress.restart()


def _single_stream(
    settings: ConnectionSettings, spec: DumpSpec, partial: Path, codec: Codec, progress: _Bar
) -> WrittenFile:
    with open_dump(settings, spec) as dump:
        written = compress_to_file(
            dump.stdout, partial, codec, progress.advance, stop_source=dump.kill
        )
        dump.check(f"backup of {settings.describe()}")
    return written


def _position(
    block: CommitBlock | None, settings: ConnectionSettings, no_tables: bool
) -> dict[str, object] | None:
    """The binary-log position of the backup's snapshot (None: unknown or no log)."""
    if block is not None:
        found = block.binlog_position()
    elif no_tables:  # nothing to be consistent with
        try:
            with session(settings, database=None) as conn:
                found = current_position(conn)
        except MrpplanError:
            return None  # no BINLOG MONITOR privilege: the backup has no position
    else:
        return None
    if found is None:
        return None
    return {**found.to_json(), "at": round(time.time(), 3)}


def _workers(kind: str, data_bytes: int) -> int:
    """Parallel dump workers: MRPPLAN_DUMP_WORKERS, default 2 for full and data backups of
    at least PARALLEL_MIN_BYTES (a rollback point of a few tables is not worth more
    processes), else one stream.

    Measured with bench/bench_backup.py's 250 MB, 5-table database on this busy 2-core
    machine, three interleaved rounds against `mariadb-dump | gzip -1`: one stream 0.89x-
    1.14x, two workers 1.04x-1.43x (best each time), three 0.95x-1.26x. Commits wait only
    while the workers start their snapshots (tens of milliseconds; at most
    SNAPSHOT_WAIT_SECONDS, then the start is made again once the tables can be read).
    """
    override = os.environ.get("MRPPLAN_DUMP_WORKERS", "")
    if override.isdigit() and int(override) > 0:
        return int(override)
    return 2 if kind in ("full", "data") and data_bytes >= PARALLEL_MIN_BYTES else 1


def _select_tables(
    present: list[str], requested: Sequence[str], kind: str, database: str
) -> tuple[list[str], list[str]]:
    """(tables to dump, requested tables that do not exist). Unknown names are an error
    except for rollback points, which may name tables a step is about to create."""
    if not requested:
        return present, []
    known = set(present)
    missing = [t for t in requested if t not in known]
    if missing and kind != "rollback":
        raise BackupError(
            f"table(s) {', '.join(missing)} do not exist in {database}; nothing was written"
        )
    return [t for t in dict.fromkeys(requested) if t in known], missing


def _free_name(folder: Path, kind: str, env: str, moment: datetime, suffix: str) -> Path:
    path = folder / backup_name(kind, env, moment, suffix)
    n = 1
    while path.exists():
        base = backup_name(kind, env, moment, suffix)
        stem, rest = base.split(".sql", 1)
        path = folder / f"{stem}-{n}.sql{rest}"
        n += 1
    return path


def _write_empty(path: Path, codec: Codec, database: str) -> WrittenFile:
    """A valid, empty dump (a rollback point of tables that do not exist yet)."""
    text = (
        f"-- mrpplan rollback point of {database}: none of the tables existed\n-- Dump completed\n"
    )
    return compress_to_file(io.BytesIO(text.encode()), path, codec)


class _Stats:
    """The checksum pass: one session per group of tables, each in its own snapshot; they
    start while the tables are held still, so all see the dump's data. They run on the
    server the dump reads (on a Galera cluster, the backup node, not the configured one)."""

    def __init__(
        self, settings: ConnectionSettings, database: str, groups: Sequence[Sequence[str]]
    ):
        self.settings, self.database = settings, database
        self.threads: list[_StatsThread] = []
        self.started = threading.Event()
        self._start(groups)

    def _start(self, groups: Sequence[Sequence[str]]) -> None:
        self.threads = [_StatsThread(self.settings, self.database, list(g)) for g in groups if g]
        for thread in self.threads:
            thread.start()
        threading.Thread(target=self._note_started, args=(self.threads,), daemon=True).start()

    def _note_started(self, threads: list[_StatsThread]) -> None:
        for thread in threads:
            thread.snapshot_started.wait()
        self.started.set()

    def wait(self) -> None:
        for thread in self.threads:
            thread.join()
            if thread.error:
                raise thread.error

    def cancel(self) -> None:
        for thread in self.threads:
            thread.cancel()

    @property
    def result(self) -> dict[str, dict[str, int | None]]:
        return {t: v for thread in self.threads for t, v in thread.result.items()}


class _StatsThread(threading.Thread):
    """Row counts + CHECKSUM TABLE in a consistent snapshot, while the dump runs."""

    def __init__(self, settings: ConnectionSettings, database: str, tables: list[str]):
        super().__init__(daemon=True)
        self.settings, self.database, self.tables = settings, database, tables
        self.result: dict[str, dict[str, int | None]] = {}
        self.error: MrpplanError | None = None
        self._connection_id: int | None = None
        self._cancelled = False
        self.snapshot_started = threading.Event()  # set once its snapshot exists (or never will)

    def cancel(self) -> None:
        """The backup failed: stop the checksum pass on the server instead of waiting."""
        self._cancelled = True
        if self.is_alive() and self._connection_id is not None:
            with contextlib.suppress(MrpplanError, OSError):
                kill_query(self.settings, self._connection_id)
        self.join(timeout=10)

    def run(self) -> None:
        try:
            self._run()
        finally:
            self.snapshot_started.set()

    def _run(self) -> None:
        if not self.tables:
            return
        try:
            with session(self.settings) as conn:
                self._connection_id = conn.thread_id()
                if self._cancelled:
                    return
                self.result = snapshot_checksums(
                    conn, self.database, self.tables, on_snapshot=self.snapshot_started.set
                )
        except MrpplanError as exc:
            self.error = exc
        except Exception as exc:
            if not self._cancelled:
                self.error = BackupError(f"reading table checksums failed: {exc}")


_DUMP_VERSION: list[str] = []


def _dump_version() -> str:
    if not _DUMP_VERSION:
        try:
            out = subprocess.run(
                [dump_tool(), "--version"],
                capture_output=True,
                text=True,
                check=False,
                timeout=10,
                env=child_env(),
            )
            _DUMP_VERSION.append(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            _DUMP_VERSION.append("unknown")
    return _DUMP_VERSION[0]
