"""The fingerprint a plan is pinned to: schema text plus mrpplan's history rows, never data.

Ordinary writes to a production database must not make a reviewed plan stale, so only the
schema's canonical text and the version/checksum columns of the history tables count.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The kinds of schema objects, as attributes of the model's Schema.
OBJECT_KINDS = ("tables", "views", "triggers", "routines", "events")


@dataclass(frozen=True)
class DatabaseState:
    """A database as far as plans are concerned."""

    schema: Any  # mrpplan.model Schema
    schema_history: frozenset[tuple[str, str]] = frozenset()  # (version, checksum), successful
    seed_history: frozenset[tuple[str, str]] = frozenset()  # (seed, checksum)
    has_history_table: bool = False
    objects: Mapping[str, str] = field(default_factory=dict)
    history_tables: frozenset[str] = frozenset()  # which of mrpplan's history tables exist

    @property
    def fingerprint(self) -> str:
        return state_fingerprint(self.schema.fingerprint(), self.schema_history, self.seed_history)

    @property
    def schema_version(self) -> str | None:
        """The highest version recorded as applied, or None (no known version)."""
        if not self.schema_history:
            return None
        return max((v for v, _ in self.schema_history), key=version_key)

    @property
    def seeds(self) -> dict[str, str]:
        return dict(sorted(self.seed_history))


def version_key(version: str) -> tuple[int, str]:
    digits = "".join(ch for ch in version if ch.isdigit())
    return (int(digits) if digits else 0, version)


def state_fingerprint(
    schema_fingerprint: str,
    schema_history: Iterable[tuple[str, str]],
    seed_history: Iterable[tuple[str, str]],
) -> str:
    """sha256 over the schema's fingerprint and the history rows (order-independent)."""
    document = {
        "schema": schema_fingerprint,
        "schema_history": sorted([list(row) for row in set(schema_history)]),
        "seed_history": sorted([list(row) for row in set(seed_history)]),
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def object_digests(schema: Any) -> dict[str, str]:
    """`kind:name` -> short sha256 of each object's canonical text (names what changed)."""
    digests: dict[str, str] = {}
    for kind in OBJECT_KINDS:
        objects = getattr(schema, kind, None) or {}
        for name, obj in objects.items():
            text = str(getattr(obj, "canonical", obj))
            digests[f"{kind[:-1]}:{name}"] = hashlib.sha256(text.encode()).hexdigest()[:16]
    return dict(sorted(digests.items()))


def object_changes(
    before: Mapping[str, str], after: Mapping[str, str]
) -> list[tuple[str, str, str]]:
    """(kind, name, "added" | "removed" | "changed") between two digest maps, by key."""
    found: list[tuple[str, str, str]] = []
    for key in sorted(set(before) | set(after)):
        kind, _, name = key.partition(":")
        if key not in before:
            found.append((kind, name, "added"))
        elif key not in after:
            found.append((kind, name, "removed"))
        elif before[key] != after[key]:
            found.append((kind, name, "changed"))
    return found


_SINCE_PLAN = {"added": "was created", "removed": "was dropped", "changed": "was altered"}


def describe_differences(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """Human lines: which objects were added, removed or changed between two digest maps."""
    return [f"{k} {n} {_SINCE_PLAN[how]}" for k, n, how in object_changes(before, after)]
