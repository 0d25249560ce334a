"""What a shadow_load step streams into the scratch database (plan/replace.py explains the
swap): written as the first line of the step's SQL, a marker comment the server ignores."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

MARKER = "-- mrpplan:load "


@dataclass(frozen=True)
class Load:
    """What the shadow_load step streams into the scratch database.

    kind "backup": `file` (with its sha256) loaded whole; `definitions` "live" for data-only
    backups (the shadow tables are copies of the live definitions, the file brings rows).
    kind "sync": the `tables` of `source` (its `database`), with their definitions
    (`definitions` "dump") or into copies of the live definitions ("live"), `empty` tables
    created without rows; `masked`: table -> {column: rule}.
    """

    kind: str
    tables: tuple[str, ...]
    definitions: str = "dump"
    file: str = ""
    sha256: str = ""
    source: str = ""
    database: str = ""
    empty: tuple[str, ...] = ()
    masked: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def marker(self) -> str:
        data = {
            "kind": self.kind,
            "tables": list(self.tables),
            "definitions": self.definitions,
            "file": self.file,
            "sha256": self.sha256,
            "source": self.source,
            "database": self.database,
            "empty": list(self.empty),
            "masked": {t: dict(c) for t, c in sorted(self.masked.items())},
        }
        return MARKER + json.dumps(data, sort_keys=True)

    @classmethod
    def from_marker(cls, line: str) -> Load:
        data = json.loads(line[len(MARKER) :])
        return cls(
            kind=str(data["kind"]),
            tables=tuple(data["tables"]),
            definitions=str(data.get("definitions", "dump")),
            file=str(data.get("file", "")),
            sha256=str(data.get("sha256", "")),
            source=str(data.get("source", "")),
            database=str(data.get("database", "")),
            empty=tuple(data.get("empty") or ()),
            masked={str(t): dict(c) for t, c in (data.get("masked") or {}).items()},
        )
