"""Which tables a sync copies: the source's tables through include/exclude globs.

Rules (README "Environment sync"):
- `--include`/`--exclude` on the command line add to the destination environment's
  `sync:` lists (an exclude in the file is a promise, e.g. never copy audit_log: a command
  line cannot quietly drop it).
- A pattern is a shell glob on the table name (`inv_*`, `audit_log`, `tmp_?`), case-sensitive
  as table names are on Linux servers.
- mrpplan's own tables (`mrpplan_*`, `_mrpplan*`) are never selected; the history tables are
  handled apart (see copy.py).
- An include pattern that matches no table is an error (a typo must not copy nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from mrpplan.config.settings import Environment
from mrpplan.errors import UsageError
from mrpplan.sync.catalog import TableStat

OWN_PREFIXES = ("mrpplan_", "_mrpplan")
SCHEMA_HISTORY = "mrpplan_schema_history"
SEED_HISTORY = "mrpplan_seed_history"


def is_own(name: str) -> bool:
    """mrpplan's own tables: history, journal, trash and workspace tables."""
    return name.startswith(OWN_PREFIXES)


@dataclass(frozen=True)
class Selection:
    """Include/exclude globs; no include = every table."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @property
    def partial(self) -> bool:
        """An include list copies part of the database: no routines, no history."""
        return bool(self.include)

    def picks(self, name: str) -> bool:
        if is_own(name):
            return False
        if self.include and not any(fnmatchcase(name, p) for p in self.include):
            return False
        return not any(fnmatchcase(name, p) for p in self.exclude)

    def apply(self, tables: Sequence[TableStat]) -> list[TableStat]:
        """The picked tables; UsageError for an include pattern that matches nothing."""
        names = [t.name for t in tables if not is_own(t.name)]
        for pattern in self.include:
            if not any(fnmatchcase(n, pattern) for n in names):
                raise UsageError(
                    f"--include {pattern!r} matches no table of the source",
                    unchanged="Nothing was copied.",
                )
        return [t for t in tables if self.picks(t.name)]

    def describe(self) -> str:
        parts = []
        if self.include:
            parts.append("include " + ", ".join(self.include))
        if self.exclude:
            parts.append("exclude " + ", ".join(self.exclude))
        return "; ".join(parts) or "all tables"


def selection_for(
    target: Environment, include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> Selection:
    """The selection for a copy into `target`: its `sync:` lists plus the CLI's."""
    configured = target.sync
    return Selection(
        include=_merged(configured.include if configured else (), include),
        exclude=_merged(configured.exclude if configured else (), exclude),
    )


def _merged(configured: Sequence[str], given: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*configured, *given]))


def schema_only_choice(schema_only: bool | None, data_only: bool) -> bool | None:
    """--schema-only / --with-data (--data-only) as one answer; both at once is a usage error.
    None: as the destination's sync.schema_only says."""
    if schema_only and data_only:
        raise UsageError("--schema-only and --data-only cannot be combined: choose one")
    return False if data_only else schema_only
