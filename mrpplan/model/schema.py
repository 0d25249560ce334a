"""A whole database schema: tables, views, routines, triggers, events."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from mrpplan.model.canonical import remember_canonical
from mrpplan.model.routine import Routine
from mrpplan.model.table import Table
from mrpplan.model.view import View


@dataclass(frozen=True)
class Schema:
    """A database's objects by kind and name, as the server prints them."""

    tables: dict[str, Table] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)
    routines: dict[str, Routine] = field(default_factory=dict)  # procedures and functions
    triggers: dict[str, Routine] = field(default_factory=dict)
    events: dict[str, Routine] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """sha256 over the canonical text of every object, in a fixed order."""
        digest = hashlib.sha256()
        for section, objects in self._sections():
            for name in sorted(objects):
                digest.update(f"{section}\0{name}\0{objects[name]}\0".encode())
        return digest.hexdigest()

    def _sections(self) -> list[tuple[str, dict[str, str]]]:
        return [
            ("table", {n: t.canonical for n, t in self.tables.items()}),
            ("view", {n: v.canonical for n, v in self.views.items()}),
            ("routine", {n: r.canonical for n, r in self.routines.items()}),
            ("trigger", {n: r.canonical for n, r in self.triggers.items()}),
            ("event", {n: r.canonical for n, r in self.events.items()}),
        ]

    def referencing(self, names: Collection[str]) -> set[str]:
        """The tables whose foreign keys name one of `names`, read from their texts; letter
        case aside, as the server's REFERENTIAL_CONSTRAINTS lookup matches them."""
        wanted = {name.casefold() for name in names}
        return {
            n
            for n, t in self.tables.items()
            if any(r.casefold() in wanted for r in referenced_tables(t.text))
        }

    def table_names(self) -> list[str]:
        return sorted(self.tables)

    def view_names(self) -> list[str]:
        return sorted(self.views)

    def unsupported_tables(self) -> list[str]:
        return sorted(name for name, table in self.tables.items() if not table.supported)

    def canonical_texts(self) -> dict[str, dict[str, str]]:
        """Section -> name -> canonical text: what two equal schemas agree on."""
        return {name: texts for name, texts in self._sections()}

    def to_texts(self) -> dict[str, dict[str, str]]:
        """Plain JSON-able form for caches: tables as their verbatim server text."""
        out = self.canonical_texts()
        out["table_canonical"] = out["table"]
        out["table"] = {n: t.text for n, t in self.tables.items()}
        out["routine_kind"] = {n: r.kind for n, r in self.routines.items()}
        out["trigger_table"] = {n: r.table or "" for n, r in self.triggers.items()}
        return out

    @classmethod
    def from_texts(cls, data: dict[str, dict[str, str]]) -> Schema:
        kinds = data.get("routine_kind", {})
        canonical = data.get("table_canonical", {})
        for name, text in data.get("table", {}).items():
            if name in canonical:
                remember_canonical(text, canonical[name])
        trigger_tables = data.get("trigger_table", {})
        return cls(
            tables={n: Table(n, t) for n, t in data.get("table", {}).items()},
            views={n: View(n, t) for n, t in data.get("view", {}).items()},
            routines={
                n: Routine(kinds.get(n, "PROCEDURE"), n, t)
                for n, t in data.get("routine", {}).items()
            },
            triggers={
                n: Routine("TRIGGER", n, t, trigger_tables.get(n) or None)
                for n, t in data.get("trigger", {}).items()
            },
            events={n: Routine("EVENT", n, t) for n, t in data.get("event", {}).items()},
        )


_REFERENCES = re.compile(r"\bREFERENCES\s+(?:`(?:[^`]|``)*`\.)?`((?:[^`]|``)+)`", re.I)


@functools.lru_cache(maxsize=8192)
def referenced_tables(text: str) -> frozenset[str]:
    """The tables a table's foreign keys reference, from its SHOW CREATE text; remembered by
    text (a migration's trace asks after each of its statements)."""
    return frozenset(m.replace("``", "`") for m in _REFERENCES.findall(text))
