"""Is a backup file good? Quick: the compressed stream is whole, the sha256 and sizes match
the manifest, the dump-completed trailer is there. Deep: a test restore into a scratch
database reproduces the manifest's row counts and CHECKSUM TABLE values."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mrpplan.backup.compression import codec_of
from mrpplan.backup.manifest import Manifest, iso, read_manifest, utc_now, write_manifest
from mrpplan.backup.progress import NoProgress, Progress
from mrpplan.backup.schema_text import SchemaText
from mrpplan.backup.stream import TRAILER, decompress_file
from mrpplan.backup.trial_load import trial_load
from mrpplan.config.settings import ConnectionSettings
from mrpplan.errors import BackupError


@dataclass(frozen=True)
class VerifyReport:
    path: Path
    manifest: Manifest
    level: str  # quick | deep
    checks: tuple[str, ...]  # what was checked and passed
    schema_text: bytes = b""  # the dump without its rows, when asked for (`schema_rows`)


def verify_backup(
    path: Path,
    *,
    deep: bool = False,
    scratch: ConnectionSettings | None = None,
    schema_source: ConnectionSettings | None = None,
    progress: Progress | None = None,
    record: bool = True,
    schema_rows: tuple[str, ...] | None = None,
) -> VerifyReport:
    """Check `path` against its manifest; BackupError (exit 1) naming the failed check.

    Deep needs `scratch` (a server where a `_mrpplan_verify_*` database may be created,
    normally the sandbox); a data-only backup also needs `schema_source` for its tables.
    `schema_rows` given: the same pass keeps the dump without its rows (but the INSERTs
    into those tables) as the report's `schema_text`, which a restore plan needs.
    """
    progress = progress or NoProgress()
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    manifest = read_manifest(path)
    failures: list[str] = []
    size = path.stat().st_size
    if manifest.compressed_bytes and size != manifest.compressed_bytes:
        failures.append(
            f"size: {size} bytes on disk, the manifest says {manifest.compressed_bytes} "
            "(truncated or appended to)"
        )
    codec = codec_of(path)
    if codec.name != manifest.compression:
        failures.append(f"compression: file is {codec.name}, manifest says {manifest.compression}")
    progress.start(f"verify {path.name}", size)
    try:
        schema = SchemaText(schema_rows) if schema_rows is not None else None
        facts = decompress_file(path, codec, None, progress.advance, reader=schema, fast=True)
    finally:
        progress.finish()
    if facts.error:
        failures.append(f"{codec.name} stream: damaged ({facts.error})")
    if facts.sha256 != manifest.sha256:
        failures.append("sha256: the file's sha256 does not match the manifest (file changed)")
    if not facts.error and TRAILER not in facts.tail:
        failures.append("trailer: the '-- Dump completed' line is missing (dump cut short)")
    if not facts.error and manifest.sql_bytes and facts.sql_bytes != manifest.sql_bytes:
        failures.append(
            f"sql size: {facts.sql_bytes} bytes, the manifest says {manifest.sql_bytes}"
        )
    if failures:
        raise BackupError(
            f"{path} failed verification: " + "; ".join(failures),
            hint="do not restore from this file; use another backup (mrpplan backup --list)",
        )
    checks = ["size", codec.name + " stream", "sha256", "trailer"]
    level = "quick"
    if deep:
        if scratch is None:
            raise BackupError(f"{path}: a deep verify needs a scratch server (the sandbox)")
        _deep_check(path, manifest, scratch, schema_source, progress)
        checks.append("test restore: row counts and checksums")
        level = "deep"
    if record:
        manifest.verified = {"at": iso(utc_now()), "level": level}
        write_manifest(path, manifest)
    text = schema.text if schema is not None else b""
    return VerifyReport(path, manifest, level, tuple(checks), text)


def _deep_check(
    path: Path,
    manifest: Manifest,
    scratch: ConnectionSettings,
    schema_source: ConnectionSettings | None,
    progress: Progress,
) -> None:
    loaded = trial_load(
        path,
        scratch,
        kind=manifest.kind,
        tables=tuple(manifest.tables),
        schema_source=schema_source,
        schema_database=manifest.database,
        progress=progress,
    )
    found = {t: {"rows": s.rows, "checksum": s.checksum} for t, s in loaded.tables.items()}
    problems = compare_with_manifest(manifest, found)
    if problems:
        raise BackupError(
            f"{path} failed verification: test restore: "
            + "; ".join(problems[:5])
            + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
        )


def compare_with_manifest(manifest: Manifest, found: dict[str, dict[str, int | None]]) -> list[str]:
    """Differences between live/restored tables and the manifest, in words."""
    problems = []
    for table, expected in sorted(manifest.tables.items()):
        got = found.get(table)
        if got is None:
            problems.append(f"table {table} is missing")
            continue
        if got["rows"] != expected.rows:
            problems.append(f"{table}: {got['rows']} rows, the manifest says {expected.rows}")
        elif expected.checksum is not None and got["checksum"] != expected.checksum:
            problems.append(f"{table}: CHECKSUM TABLE differs from the manifest")
    return problems
