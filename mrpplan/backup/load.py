"""Load a backup file into a database: decompressor -> `mariadb` client, streamed."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from mrpplan.backup.compression import codec_of
from mrpplan.backup.parallel_load import load_parallel
from mrpplan.backup.progress import NoProgress, Progress
from mrpplan.backup.stream import decompress_file
from mrpplan.config.settings import ConnectionSettings
from mrpplan.errors import BackupError
from mrpplan.mysql.client_process import open_loader


def load_file(
    path: Path,
    settings: ConnectionSettings,
    database: str,
    *,
    progress: Progress | None = None,
    what: str = "",
    on_bytes: Callable[[int], None] | None = None,
    sessions: int | None = None,
    sha256: str = "",
    after_rows: Callable[[], None] | None = None,
) -> None:
    """Stream a backup file through the decompressor into the `mariadb` client.

    Session settings that speed the load (foreign/unique checks off) live only in the
    loading sessions. With more than one session (default 4, MRPPLAN_LOAD_SESSIONS
    overrides) INSERTs run in parallel (see parallel_load).
    `sha256` given: the bytes fed are hashed as they are read, and a file that is not
    the one verified (changed since, or damaged on disk) raises BackupError once the
    load ends; a caller that loads into a scratch database swaps nothing in then.
    `after_rows` is called once every row is in (checks may start while keys are built).
    Raises SqlError/BackupError if a client or the stream fails.
    """
    progress = progress or NoProgress()
    codec = codec_of(path)
    what = what or f"loading {path.name} into {database}"
    sessions = sessions or default_sessions()
    progress.start(what, path.stat().st_size)
    try:
        if sessions > 1:
            digest = load_parallel(
                path,
                settings,
                database,
                sessions=sessions,
                progress=progress,
                what=what,
                after_rows=after_rows,
            )
            check_sha256(path, digest, sha256)
            return
        with open_loader(settings, database) as loader:
            facts = decompress_file(path, codec, loader.stdin, on_bytes or progress.advance)
            loader.stdin.close()
            code = loader.wait()
            if code != 0:
                loader.check(what)
        if facts.error:
            raise BackupError(f"{what} failed: {path}: {codec.name} stream damaged: {facts.error}")
        check_sha256(path, facts.sha256, sha256)
        if after_rows is not None:
            after_rows()
    finally:
        progress.finish()


def check_sha256(path: Path, found: str, expected: str) -> None:
    """The file loaded is the file verified (when a sha256 is expected)."""
    if expected and found != expected:
        raise BackupError(
            f"{path} failed verification while it was loaded: its sha256 no longer matches "
            "the manifest (the file changed after it was verified)",
            hint="do not restore from this file; use another backup (mrpplan backup --list)",
        )


def default_sessions() -> int:
    """Four loading sessions unless MRPPLAN_LOAD_SESSIONS says otherwise.

    The server inserts each session's rows on one of ITS cores, and the server is often
    another machine, so the count does not follow this machine's cores; the client side
    of a session is light. Measured here (2 cores, busy): 2 sessions 1.35x, 4 about 1.45x.
    """
    override = os.environ.get("MRPPLAN_LOAD_SESSIONS", "")
    if override.isdigit() and int(override) > 0:
        return int(override)
    return 4
