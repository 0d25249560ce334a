"""Where each migration stands in one database: pending, applied, edited or missing.

`edited` (the file changed after it was applied) is an error everywhere it is seen: a
migration is never silently re-run, the user must restore the file or write a new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mrpplan.desired.directory import Migration
from mrpplan.errors import ConfigError, Refused
from mrpplan.mysql.schema_history import HistoryRow
from mrpplan.units import json_record

PENDING = "pending"
APPLIED = "applied"
EDITED = "edited"
MISSING = "missing"
FAILED = "failed"


@dataclass(frozen=True)
class MigrationStatus:
    """One migration as `migrate status` shows it."""

    version: str
    number: int
    name: str
    state: str
    applied_at: datetime | None
    path: Path | None
    file_checksum: str | None
    applied_checksum: str | None

    def as_dict(self) -> dict[str, object]:
        fields = ("version", "name", "state", "applied_at", "file=path")
        return json_record(self, *fields, "file_checksum", "applied_checksum")


def migration_statuses(
    migrations: Sequence[Migration], rows: Sequence[HistoryRow]
) -> list[MigrationStatus]:
    """Join files and history by migration number, sorted by number."""
    by_number = {r.number: r for r in rows}
    files = {m.number: m for m in migrations}
    result: list[MigrationStatus] = []
    for number in sorted(set(by_number) | set(files)):
        m = files.get(number)
        r = by_number.get(number)
        if r is None:
            state = PENDING
        elif m is None:
            state = MISSING
        elif not r.success:
            state = FAILED
        elif r.checksum != m.checksum:
            state = EDITED
        else:
            state = APPLIED
        result.append(
            MigrationStatus(
                version=m.version if m else r.version if r else str(number),
                number=number,
                name=m.name if m else r.name if r else "",
                state=state,
                applied_at=r.applied_at if r else None,
                path=m.path if m else None,
                file_checksum=m.checksum if m else None,
                applied_checksum=r.checksum if r else None,
            )
        )
    return result


def base_schema_status(schema_dir: Path, rows: Sequence[HistoryRow]) -> MigrationStatus | None:
    """The base schema (history version 000) as an `edited` row when its files changed after
    it was applied; None when it is unchanged or was never recorded.

    Without this, an edited base schema file shows up as live drift ("fix the database by
    hand") although the database is exactly as built: it is the file that moved.
    """
    from mrpplan.desired.directory import base_schema_statements, source_digest

    row = next((r for r in rows if r.number == 0 and r.success), None)
    if row is None:
        return None
    digest = source_digest(base_schema_statements(schema_dir))
    if digest == row.checksum:
        return None
    files = sorted(schema_dir.glob("*.sql")) if schema_dir.is_dir() else []
    return MigrationStatus(
        version=row.version,
        number=0,
        name="base_schema",
        state=EDITED,
        applied_at=row.applied_at,
        path=files[0] if len(files) == 1 else schema_dir,
        file_checksum=digest,
        applied_checksum=row.checksum,
    )


def with_base_schema(
    statuses: Sequence[MigrationStatus], schema_dir: Path, rows: Sequence[HistoryRow]
) -> list[MigrationStatus]:
    """`statuses` with the edited base schema in front, when it was edited."""
    base = base_schema_status(schema_dir, rows)
    return [base, *statuses] if base else list(statuses)


def edited_messages(statuses: Sequence[MigrationStatus], env_name: str) -> list[str]:
    """One sentence per migration whose file changed after it was applied to `env_name`."""
    return [
        f"{'base schema file' if s.number == 0 else 'migration'} {s.path} was edited after it"
        f" was applied to environment {env_name!r}"
        f" (applied sha256 {str(s.applied_checksum)[:12]}, file now {str(s.file_checksum)[:12]})"
        for s in statuses
        if s.state == EDITED
    ]


def check_not_edited(statuses: Sequence[MigrationStatus], env_name: str) -> None:
    """Raise a ConfigError naming every edited file and the environment."""
    messages = edited_messages(statuses, env_name)
    if messages:
        raise ConfigError(
            "\n".join(messages),
            unchanged="Nothing was changed.",
            hint="restore the applied file (git checkout it) and put new changes in a new migration"
            " (mrpplan migrate create NAME)",
        )


def check_files_match_history(
    statuses: Sequence[MigrationStatus], env_name: str, target_number: int
) -> None:
    """Refuse a plan the migrations folder cannot carry out in number order.

    A deleted file of an applied migration leaves its version unknown; a pending file
    numbered below an applied one (two branches picked numbers) would never run in order.
    Both used to surface later as a false drift or "no such migration".
    """
    missing = [s for s in statuses if s.state == MISSING]
    if missing:
        first = missing[0]
        names = ", ".join(f"{s.version}_{s.name}.sql" for s in missing)
        raise ConfigError(
            f"environment {env_name!r} has migration(s) {names} applied, but the file(s) are "
            "no longer in the migrations folder: mrpplan cannot tell whether the target "
            f"version should keep {first.version} or roll it back. Nothing was planned.",
            hint="restore the file from git (git log --diff-filter=D --name-only -- "
            "database/migrations); to undo the migration, restore it and then plan with "
            "schema.version below it",
        )
    applied = [s.number for s in statuses if s.state == APPLIED and s.number <= target_number]
    late = [
        s
        for s in statuses
        if s.state == PENDING and applied and s.number < max(applied) and s.number <= target_number
    ]
    if late:
        newest = max((s for s in statuses if s.state == APPLIED), key=lambda s: s.number)
        file = _shown(late[0].path)
        renamed = file.with_name(f"{newest.number + 1:03d}_{late[0].name}.sql")
        raise Refused(
            f"migration {file} is numbered below {newest.version}_{newest.name}, which is "
            f"already applied to environment {env_name!r}: migrations run in number order, so "
            f"it can never run there. Nothing was planned.",
            hint=f"renumber it above the newest applied one: git mv {file} {renamed}; or, if it "
            f"must run before {newest.version}, move it aside, roll {env_name} back below it "
            f"(mrpplan migrate down {env_name} --steps N), put it back and plan again",
        )


def _shown(path: Path | None) -> Path:
    """The path relative to the current folder when it is below it (as the user types it)."""
    here = Path.cwd()
    if path is None:
        return Path("?")
    return path.relative_to(here) if path.is_relative_to(here) else path
