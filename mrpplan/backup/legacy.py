"""Backups made by the old backup.sh: a plain `mariadb-dump | gzip` file with no manifest.

They can only be checked by content: the compressed stream is whole and the dump's
'-- Dump completed' trailer is there. No checksum was written when they were made, so
nothing proves the file is the one that was dumped; a test load into a scratch database
(the sandbox) proves it loads, and gives the row counts and CHECKSUM TABLE values that
`import` writes into a new manifest. From then on the file is verified and restored like
any other backup (its sha256 is the one it had at import).

Import copies the file (mode 0600) into the environment's backup folder under the current
naming scheme; the original file is left where it was.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from mrpplan import __version__
from mrpplan.backup.compression import Codec, codec_of
from mrpplan.backup.manifest import (
    Manifest,
    backup_name,
    iso,
    manifest_path,
    utc_now,
    write_manifest,
)
from mrpplan.backup.progress import NoProgress, Progress
from mrpplan.backup.stream import TRAILER, decompress_file
from mrpplan.backup.trial_load import trial_load
from mrpplan.config.settings import ConnectionSettings, Environment
from mrpplan.errors import BackupError

NO_CHECKSUMS = (
    "this backup was made without a manifest: no checksum existed, so nothing proves it is"
    " the file that was dumped; it was checked by content only"
)
_OLD_KIND = re.compile(r"^(?:mrp_erp_(full|schema|data)|(rollback))[_.]")
_COMPLETED = re.compile(rb"-- Dump completed on (\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2}:\d{2})")
_SERVER = re.compile(rb"-- Server version\s+(\S+)")
_DATABASE = re.compile(rb"-- Host: .*?Database: (\S+)")


@dataclass(frozen=True)
class ContentCheck:
    """What can be known about a file with no manifest, from its content."""

    path: Path
    codec: Codec
    sha256: str
    compressed_bytes: int
    sql_bytes: int
    server_version: str
    database: str
    completed_at: datetime | None
    checks: tuple[str, ...]


def is_legacy(path: Path) -> bool:
    """A backup file with no manifest beside it."""
    return path.is_file() and not manifest_path(path).exists()


def check_content(path: Path, progress: Progress | None = None) -> ContentCheck:
    """Stream whole and trailer present, or BackupError naming the failed check."""
    progress = progress or NoProgress()
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    codec = codec_of(path)
    progress.start(f"check {path.name}", path.stat().st_size)
    try:
        facts = decompress_file(path, codec, None, progress.advance)
    finally:
        progress.finish()
    if facts.error:
        raise BackupError(
            f"{path} failed verification: {codec.name} stream: damaged ({facts.error})",
            hint="do not restore from this file; use another backup",
        )
    if TRAILER not in facts.tail:
        raise BackupError(
            f"{path} failed verification: trailer: the '-- Dump completed' line is missing"
            " (dump cut short)",
            hint="do not restore from this file; use another backup",
        )
    head = _head(path, codec)
    completed = _COMPLETED.search(facts.tail)
    return ContentCheck(
        path=path,
        codec=codec,
        sha256=facts.sha256,
        compressed_bytes=facts.compressed_bytes,
        sql_bytes=facts.sql_bytes,
        server_version=_first(_SERVER, head),
        database=_first(_DATABASE, head),
        completed_at=_when(completed) if completed else None,
        checks=(f"{codec.name} stream", "trailer"),
    )


def _head(path: Path, codec: Codec) -> bytes:
    if codec.name != "gzip":
        return b""
    with contextlib.suppress(OSError, EOFError), gzip.open(path, "rb") as handle:
        return handle.read(4096)
    return b""


def _first(pattern: re.Pattern[bytes], text: bytes) -> str:
    found = pattern.search(text)
    return found.group(1).decode("utf-8", "replace") if found else ""


def _when(found: re.Match[bytes]) -> datetime | None:
    text = f"{found.group(1).decode()} {found.group(2).decode()}"
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def kind_of(path: Path) -> str:
    """full | schema | data | rollback, from the old script's file name (default full)."""
    found = _OLD_KIND.match(path.name)
    if not found:
        return "full"
    return found.group(1) or "rollback"


def import_backup(
    path: Path,
    env: Environment,
    scratch: ConnectionSettings,
    progress: Progress | None = None,
) -> tuple[Path, Manifest]:
    """Check `path` by content, test-load it, and put it in env's backup folder with a
    manifest. Returns the adopted file and its manifest; the original is left in place."""
    content = check_content(path, progress)
    kind = kind_of(path)
    created = content.completed_at or datetime.fromtimestamp(path.stat().st_mtime, UTC)
    folder = Path(env.backup.dir)
    target = folder / backup_name(kind, env.name, created, content.codec.suffix)
    known = _imported(target, content.sha256)
    if known is not None:  # the same file, imported before (e.g. by `restore --dry-run`)
        return target, known
    loaded = trial_load(
        path,
        scratch,
        kind=kind,
        schema_source=env.connection,
        schema_database=env.connection.database,
        progress=progress,
    )
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if target.exists() and target.resolve() != path.resolve():
        raise BackupError(
            f"{target} already exists: {path.name} may have been imported already",
            unchanged="Nothing was changed.",
        )
    if not target.exists():
        _copy_private(path, target)
    manifest = Manifest(
        kind=kind,
        env=env.name,
        database=content.database or env.connection.database,
        server_version=content.server_version,
        created_at=iso(created),
        file=target.name,
        compression=content.codec.name,
        sha256=content.sha256,
        compressed_bytes=content.compressed_bytes,
        sql_bytes=content.sql_bytes,
        tables=loaded.tables,
        views=loaded.views,
        label=f"imported from {path.name} (made without a manifest; no checksums existed)",
        tool={
            "name": "mariadb-dump | gzip (old backup.sh)",
            "imported_by": f"mrpplan {__version__}",
        },
        verified={"at": iso(utc_now()), "level": "deep"},
    )
    write_manifest(target, manifest)
    return target, manifest


def _imported(target: Path, sha256: str) -> Manifest | None:
    """The manifest of `target` when it is an earlier import of the file with `sha256`."""
    from mrpplan.backup.manifest import read_manifest

    if not target.exists():
        return None
    try:
        manifest = read_manifest(target)
    except BackupError:
        return None
    return manifest if manifest.sha256 == sha256 else None


def _copy_private(source: Path, target: Path) -> None:
    """A 0600 copy (a hard link would share, and change, the original's mode)."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out, source.open("rb") as handle:
        shutil.copyfileobj(handle, out, 1 << 20)
