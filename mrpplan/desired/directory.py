"""The migrations folder: `NNN_name.sql` files with `-- mrpplan:up` / `-- mrpplan:down` sections.

The desired schema at a version is the base schema (database/schema/*.sql) plus the
up sections of every migration up to that version. Checksums are over the file bytes,
so editing an applied migration is noticed.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from mrpplan.config.loader import Problem
from mrpplan.config.project import Project
from mrpplan.config.text_file import TextFileError, decode, read_bytes
from mrpplan.errors import ConfigError
from mrpplan.sqlfiles.split import SqlStatement, split_sql

FILE_NAME = re.compile(r"^(?P<version>[0-9]{3,})_(?P<name>[A-Za-z0-9][A-Za-z0-9_-]*)\.sql$")
_MARKER = re.compile(
    r"^[ \t]*--[ \t]*mrpplan:(?P<section>up|down)[ \t]*$", re.IGNORECASE | re.MULTILINE
)
UP_MARKER = "-- mrpplan:up"
DOWN_MARKER = "-- mrpplan:down"


@dataclass(frozen=True)
class Migration:
    """One migration file, split into its up and (optional) down statements."""

    version: str
    number: int
    name: str
    path: Path
    checksum: str
    up: tuple[SqlStatement, ...]
    down: tuple[SqlStatement, ...] | None

    @property
    def reversible(self) -> bool:
        return self.down is not None


def load_migrations(migrations_dir: Path) -> list[Migration]:
    """All migrations sorted by number; ConfigError naming every malformed file."""
    migrations, problems = scan_migrations(migrations_dir)
    if problems:
        raise ConfigError("\n".join(map(str, problems)))
    return migrations


def scan_migrations(migrations_dir: Path) -> tuple[list[Migration], list[Problem]]:
    """The well-formed migrations and a Problem for each file that is not (for `validate`).

    Remembered per folder while its files keep their names and bytes: one plan asks
    several times, and splitting is the cost, not reading."""
    if not migrations_dir.is_dir():
        return [], []
    files = sorted(migrations_dir.glob("*.sql"))
    with contextlib.suppress(OSError):
        stamp = tuple((p.name, hashlib.sha256(p.read_bytes()).digest()) for p in files)
        known = _SCANNED.get(migrations_dir)
        if known is not None and known[0] == stamp:
            return list(known[1]), list(known[2])
        found = _scan(migrations_dir, files)
        _SCANNED[migrations_dir] = (stamp, found[0], found[1])
        return found
    return _scan(migrations_dir, files)


_SCANNED: dict[Path, tuple[Any, list[Migration], list[Problem]]] = {}


def _scan(migrations_dir: Path, files: list[Path]) -> tuple[list[Migration], list[Problem]]:
    migrations: list[Migration] = []
    problems: list[Problem] = []
    seen: dict[int, Path] = {}
    for path in files:
        match = FILE_NAME.match(path.name)
        if not match:
            problems.append(
                Problem(
                    path,
                    None,
                    f"migration file name {path.name!r} is not NNN_name.sql "
                    "(e.g. 004_add_lots.sql)",
                )
            )
            continue
        number = int(match["version"])
        if number == 0:
            problems.append(
                Problem(path, None, "migration number 000 is reserved for the base schema")
            )
            continue
        if number in seen:
            problems.append(
                Problem(
                    path, None, f"migration number {number:03d} is also used by {seen[number].name}"
                )
            )
            continue
        seen[number] = path
        try:
            data = read_bytes(path)
            text = decode(data, path)
        except TextFileError as exc:
            problems.append(Problem(path, exc.line, exc.problem))
            continue
        up, down, section_problems = split_sections(text, path)
        if section_problems:
            problems.extend(section_problems)
            continue
        migrations.append(
            Migration(
                version=match["version"],
                number=number,
                name=match["name"],
                path=path,
                checksum=hashlib.sha256(data).hexdigest(),
                up=tuple(up),
                down=None if down is None else tuple(down),
            )
        )
    migrations.sort(key=lambda m: m.number)
    return migrations, problems


def number_gaps(migrations: Sequence[Migration]) -> list[Problem]:
    """A warning for each jump in the numbers (003 -> 005): often a file not committed yet.

    Not an error (numbers need not be consecutive), but a 004 that turns up after 005 was
    applied somewhere will be refused there, so it is better seen now.
    """
    gaps: list[Problem] = []
    for before, after in pairwise(migrations):
        if after.number > before.number + 1:
            missing = after.number - 1
            absent = f"{before.number + 1:03d}" + (
                f"-{missing:03d}" if missing > before.number + 1 else ""
            )
            gaps.append(
                Problem(
                    after.path,
                    None,
                    f"migration numbers jump from {before.version} to {after.version} "
                    f"(no {absent}): if that file is still to come (not committed, another "
                    f"branch), it will be refused wherever {after.version} is already applied",
                )
            )
    return gaps


def split_sections(
    text: str, path: Path
) -> tuple[list[SqlStatement], list[SqlStatement] | None, list[Problem]]:
    """(up statements, down statements or None, problems) of one migration's text."""
    markers = [(m["section"].lower(), m.start(), m.end()) for m in _MARKER.finditer(text)]
    problems: list[Problem] = []
    ups = [m for m in markers if m[0] == "up"]
    downs = [m for m in markers if m[0] == "down"]
    if not ups:
        problems.append(
            Problem(path, 1, f"missing '{UP_MARKER}' marker line before the migration's statements")
        )
    for extra in ups[1:] + downs[1:]:
        problems.append(
            Problem(path, _line_at(text, extra[1]), f"second '-- mrpplan:{extra[0]}' marker")
        )
    if ups and downs and downs[0][1] < ups[0][1]:
        problems.append(
            Problem(
                path, _line_at(text, downs[0][1]), f"'{DOWN_MARKER}' comes before '{UP_MARKER}'"
            )
        )
    if problems:
        return [], None, problems
    up_start = ups[0][2]
    up_end = downs[0][1] if downs else len(text)
    up = _section(text, up_start, up_end, path)
    down = _section(text, downs[0][2], len(text), path) if downs else None
    before = [s for s in split_sql(text[: ups[0][1]], path)]
    if before:
        problems.append(
            Problem(
                path,
                before[0].line,
                f"statement before the '{UP_MARKER}' marker (it would never run)",
            )
        )
    return up, down, problems


def empty_migrations(migrations: Sequence[Migration]) -> list[Problem]:
    """A problem for each migration whose up section has no statement (a file just made by
    `migrate create`): `validate` reports it and `plan` refuses it rather than planning a
    step that does nothing; `migrate status` still lists it as pending."""
    return [
        Problem(
            m.path,
            None,
            f"the '{UP_MARKER}' section has no statement: write the migration's SQL there, "
            "or delete the file",
        )
        for m in migrations
        if not m.up
    ]


def _section(text: str, start: int, end: int, path: Path) -> list[SqlStatement]:
    """Split text[start:end], keeping line numbers of the whole file."""
    padding = "\n" * text.count("\n", 0, start)
    return split_sql(padding + text[start:end], path)


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def base_schema_statements(schema_dir: Path) -> list[SqlStatement]:
    """Every statement of schema/*.sql, files in name order."""
    from mrpplan.sqlfiles.split import read_statements

    statements: list[SqlStatement] = []
    if schema_dir.is_dir():
        for path in sorted(schema_dir.glob("*.sql")):
            statements.extend(read_statements(path))
    return statements


def resolve_version(migrations: Sequence[Migration], version: str | int) -> int:
    """ "latest" -> last number, "base" -> 0, "003"/"3" -> 3; ConfigError if unknown."""
    text = str(version).strip().lower()
    if text == "latest":
        return migrations[-1].number if migrations else 0
    if text in ("base", "0", "000"):
        return 0
    if not text.isdigit():
        raise ConfigError(
            f"schema version {version!r} is not 'latest', 'base' or a migration number"
        )
    number = int(text)
    if number not in {m.number for m in migrations}:
        known = ", ".join(m.version for m in migrations) or "none"
        raise ConfigError(f"schema version {version!r}: no such migration (known: base, {known})")
    return number


def desired_statements(project: Project, version: str) -> list[SqlStatement]:
    """Base schema plus the up sections of every migration up to `version`."""
    migrations = load_migrations(project.migrations_dir)
    target = resolve_version(migrations, version)
    statements = base_schema_statements(project.schema_dir)
    for migration in migrations:
        if migration.number <= target:
            statements.extend(migration.up)
    return statements


def source_digest(statements: Sequence[SqlStatement]) -> str:
    """sha256 over the statement texts: the same SQL gives the same digest, wherever it lives."""
    digest = hashlib.sha256()
    for statement in statements:
        digest.update(statement.text.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()
