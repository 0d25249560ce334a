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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

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
from mrpplan.backup.progress import NoProgress, Progress
from mrpplan.backup.stream import WrittenFile, compress_to_file
from mrpplan.config.settings import Environment
from mrpplan.errors import BackupError, MrpplanError
from mrpplan.mysql.client_process import DumpSpec, child_env, dump_tool, open_dump
from mrpplan.mysql.connection import connect, server_version
from mrpplan.mysql.table_stats import (
    base_tables,
    data_sizes,
    snapshot_checksums,
    table_checksums,
    views,
)

__all__ = ["BackupResult", "create_backup", "ensure_backup_dir", "is_internal", "table_checksums"]

INTERNAL_PREFIX = "_mrpplan"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: Manifest

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
    settings = env.connection
    database = settings.database
    started = time.monotonic()
    moment = utc_now()
    path = _free_name(folder, kind, env.name, moment, codec.suffix)

    conn = connect(settings)
    try:
        version = server_version(conn)
        every = base_tables(conn, database)
        present = [t for t in every if not is_internal(t)]
        internal = [t for t in every if is_internal(t)]
        wanted, absent = _select_tables(present, tables, kind, database)
        view_names = [] if tables else views(conn, database)
        estimate = data_sizes(conn, database, wanted) if wanted else 0
    finally:
        conn.close()

    spec = DumpSpec(
        database=database,
        tables=tuple(wanted) if tables else (),
        exclude=tuple(internal) if not tables else (),
        schema=kind != "data",
        data=kind != "schema",
    )
    stats = _StatsThread(env, database, wanted if kind != "schema" else [])
    stats.start()
    partial = path.with_name(f".{path.name}.partial")
    progress.start(f"backup {env.name} ({kind})", estimate or None)
    try:
        if tables and not wanted:
            written = _write_empty(partial, codec, database)
        else:
            with open_dump(settings, spec) as dump:
                written = compress_to_file(dump.stdout, partial, codec, progress.advance)
                dump.check(f"backup of {settings.describe()}")
        if not written.has_trailer:
            raise BackupError(
                f"backup of {settings.describe()} is incomplete: the dump ended without its "
                "'-- Dump completed' trailer"
            )
        stats.join()
        if stats.error:
            raise stats.error
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        stats.join()
        raise
    finally:
        progress.finish()

    table_stats = (
        {t: TableStats(0, 0) for t in wanted}
        if kind == "schema"
        else {t: TableStats(int(v["rows"] or 0), v["checksum"]) for t, v in stats.result.items()}
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
    )
    write_manifest(path, manifest)
    return BackupResult(path, manifest)


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


class _StatsThread(threading.Thread):
    """Row counts + CHECKSUM TABLE in a consistent snapshot, while the dump runs."""

    def __init__(self, env: Environment, database: str, tables: list[str]):
        super().__init__(daemon=True)
        self.env, self.database, self.tables = env, database, tables
        self.result: dict[str, dict[str, int | None]] = {}
        self.error: MrpplanError | None = None

    def run(self) -> None:
        if not self.tables:
            return
        try:
            conn = connect(self.env.connection)
            try:
                self.result = snapshot_checksums(conn, self.database, self.tables)
            finally:
                conn.close()
        except MrpplanError as exc:
            self.error = exc
        except Exception as exc:
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
