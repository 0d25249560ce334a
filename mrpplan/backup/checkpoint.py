"""Rollback points for apply and restore: schema + data of just the tables a step touches.

A checkpoint is an ordinary backup of kind "rollback" (`rollback_<env>_<ts>.sql.gz` with its
manifest), so it can be listed, verified, kept by retention and restored by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mrpplan.backup.dump import create_backup
from mrpplan.backup.load import load_file
from mrpplan.backup.progress import Progress
from mrpplan.backup.verify import compare_with_manifest, verify_backup
from mrpplan.config.settings import Environment
from mrpplan.errors import BackupError
from mrpplan.mysql.table_stats import checksums_in_parallel


def save_checkpoint(
    env: Environment,
    tables: Sequence[str],
    *,
    label: str = "",
    progress: Progress | None = None,
) -> Path:
    """Save `tables` of env's database (an empty sequence saves the whole database).

    Tables that do not exist yet are recorded in the manifest (absent_tables) and
    skipped; restoring the checkpoint leaves such tables alone.
    """
    result = create_backup(env, "rollback", tables=tuple(tables), label=label, progress=progress)
    return result.path


def restore_checkpoint(env: Environment, path: Path, *, progress: Progress | None = None) -> None:
    """Verify the checkpoint, load it into env's database, and check the tables came back."""
    report = verify_backup(path, progress=progress, record=False)
    manifest = report.manifest
    if manifest.database != env.connection.database:
        raise BackupError(
            f"{path} is a checkpoint of database {manifest.database}, not of "
            f"{env.connection.database}; nothing was restored"
        )
    load_file(
        path,
        env.connection,
        env.connection.database,
        progress=progress,
        what=f"restoring checkpoint {path.name}",
        sha256=manifest.sha256,
    )
    found = checksums_in_parallel(env.connection, env.connection.database, list(manifest.tables))
    problems = compare_with_manifest(manifest, found)
    if problems:
        raise BackupError(
            f"checkpoint {path.name} was loaded but the tables differ from it: "
            + "; ".join(problems[:5])
        )
