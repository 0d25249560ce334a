"""`migrate create NAME`: the next numbered file with both sections ready to fill in."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from mrpplan.config.text_file import write_new
from mrpplan.errors import UsageError

_NUMBERED = re.compile(r"^(\d+)_.+\.sql$")

TEMPLATE = """-- Migration {version}: {title}
-- Created {created} by `mrpplan migrate create`.
-- The up section runs on `mrpplan migrate up` / `mrpplan apply`; the down section undoes it.
-- Leave the down section out (delete it) to let mrpplan generate the rollback from the schema.

-- mrpplan:up


-- mrpplan:down

"""


def slug(name: str) -> str:
    """'Add lot sizing!' -> 'add_lot_sizing'."""
    text = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    if not text:
        raise UsageError(f"migration name {name!r} has no letters or digits")
    return text


def next_number(folder: Path) -> tuple[int, int]:
    """(next number, digit width) from the files already in `folder`."""
    numbers: list[int] = []
    width = 3
    if folder.is_dir():
        for path in folder.glob("*.sql"):
            match = _NUMBERED.match(path.name)
            if match:
                numbers.append(int(match.group(1)))
                width = max(width, len(match.group(1)))
    return max(numbers, default=0) + 1, width


def create_migration(folder: Path, name: str, *, now: datetime | None = None) -> Path:
    """Write `NNN_<slug>.sql` in `folder` and return its path (never overwrites)."""
    number, width = next_number(folder)
    version = str(number).zfill(width)
    path = folder / f"{version}_{slug(name)}.sql"
    created = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    write_new(path, TEMPLATE.format(version=version, title=name.strip(), created=created))
    return path
