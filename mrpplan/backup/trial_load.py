"""Load a backup file into a throwaway database to see what it really holds.

Deep verify compares the result with the manifest; importing an old backup (no manifest)
writes the manifest from it. The `_mrpplan_verify_*` database is always dropped.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mrpplan.backup.load import load_file
from mrpplan.backup.manifest import TableStats
from mrpplan.backup.progress import Progress
from mrpplan.config.settings import ConnectionSettings
from mrpplan.errors import BackupError, MrpplanError
from mrpplan.mysql.client_process import DumpSpec, pipe_dump
from mrpplan.mysql.connection import session
from mrpplan.mysql.quote import ident
from mrpplan.mysql.table_stats import base_tables, table_checksums, views


@dataclass(frozen=True)
class Loaded:
    tables: dict[str, TableStats]
    views: list[str]


def trial_load(
    path: Path,
    scratch: ConnectionSettings,
    *,
    kind: str,
    tables: Sequence[str] = (),
    schema_source: ConnectionSettings | None = None,
    schema_database: str = "",
    progress: Progress | None = None,
) -> Loaded:
    """Load `path` into a new database on `scratch`; row counts and CHECKSUM TABLE of
    `tables` (default: every table it made). A data-only file first gets its tables'
    structure from `schema_source` (no triggers: they would fire on the rows)."""
    name = f"_mrpplan_verify_{secrets.token_hex(5)}"
    with session(scratch, database=None) as admin:
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE {ident(name)} CHARACTER SET utf8mb4")
        try:
            if kind == "data":
                if schema_source is None:
                    raise BackupError(
                        f"{path}: a data-only backup needs its tables' schema for a test"
                        " restore, and the environment's database is not available"
                    )
                pipe_dump(
                    schema_source,
                    DumpSpec(
                        schema_database, tuple(tables), data=False, extra=("--skip-triggers",)
                    ),
                    scratch,
                    name,
                )
            load_file(path, scratch, name, progress=progress, what=f"test restore of {path.name}")
            found = table_checksums(admin, name, list(tables) or base_tables(admin, name))
            found_views = views(admin, name)
        except MrpplanError as exc:
            raise BackupError(f"{path} failed verification: test restore: {exc.message}") from None
        finally:
            with admin.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS {ident(name)}")
    stats = {t: TableStats(int(v["rows"] or 0), v["checksum"]) for t, v in found.items()}
    return Loaded(stats, found_views)
