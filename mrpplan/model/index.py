"""An index (key) of a table: primary, unique, fulltext, spatial or plain."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IndexPart:
    """One column of a key, with its prefix length and order."""

    column: str
    length: int | None = None  # prefix length: KEY (`name`(10))
    descending: bool = False

    def render(self) -> str:
        text = "`" + self.column.replace("`", "``") + "`"
        if self.length is not None:
            text += f"({self.length})"
        return text + (" DESC" if self.descending else "")


@dataclass(frozen=True)
class Index:
    """`definition` is the server's line, e.g. "UNIQUE KEY `code` (`code`)"."""

    name: str  # "PRIMARY" for the primary key
    kind: str  # primary | unique | fulltext | spatial | index
    parts: tuple[IndexPart, ...]
    definition: str
    comment: str = ""
    using: str | None = None  # BTREE | HASH
    ignored: bool = False  # MariaDB IGNORED: kept up to date, never used by the optimizer
    comment_sql: str | None = None  # the COMMENT literal as printed

    def render(self) -> str:
        """The key line from the fields, in the server's form."""
        head = {
            "primary": "PRIMARY KEY",
            "unique": "UNIQUE KEY ",
            "fulltext": "FULLTEXT KEY ",
            "spatial": "SPATIAL KEY ",
            "index": "KEY ",
        }[self.kind]
        if self.kind != "primary":
            head += "`" + self.name.replace("`", "``") + "`"
        text = f"{head} ({','.join(p.render() for p in self.parts)})"
        if self.using:
            text += f" USING {self.using}"
        if self.comment_sql is not None:
            text += f" COMMENT {self.comment_sql}"
        if self.ignored:
            text += " IGNORED"
        return text

    @property
    def is_primary(self) -> bool:
        return self.kind == "primary"

    @property
    def is_long_unique(self) -> bool:
        """A UNIQUE key `USING HASH`: checked through a hidden hash column, so the server
        copies the table to add it and for most other changes while it exists."""
        return self.kind == "unique" and self.using == "HASH"

    @property
    def is_unique(self) -> bool:
        return self.kind in ("primary", "unique")

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(part.column for part in self.parts)
