"""An index (key) of a table: primary, unique, fulltext, spatial or plain."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IndexPart:
    column: str
    length: int | None = None  # prefix length: KEY (`name`(10))
    descending: bool = False


@dataclass(frozen=True)
class Index:
    """`definition` is the server's line, e.g. "UNIQUE KEY `code` (`code`)"."""

    name: str  # "PRIMARY" for the primary key
    kind: str  # primary | unique | fulltext | spatial | index
    parts: tuple[IndexPart, ...]
    definition: str
    comment: str = ""
    using: str | None = None  # BTREE | HASH

    @property
    def is_primary(self) -> bool:
        return self.kind == "primary"

    @property
    def is_unique(self) -> bool:
        return self.kind in ("primary", "unique")

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(part.column for part in self.parts)
