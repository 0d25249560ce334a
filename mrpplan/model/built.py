"""What a workspace build made, as plain data: the desired schema's cache keeps it, and
an incremental build starts from it (mysql/workspace.py builds, desired/workspace.py
caches)."""

from __future__ import annotations

from dataclasses import dataclass

from mrpplan.model.schema import Schema


@dataclass(frozen=True)
class Built:
    """What the statements built (and what the cache keeps): the schema, and the tables
    holding rows (None: not known)."""

    schema: Schema
    filled: frozenset[str] | None


@dataclass(frozen=True)
class BuildBase:
    """Where an incremental build starts: the cached result after `start` statements, and
    the cached tables to load into the scratch database."""

    start: int
    entry: Built
    load: frozenset[str]
