"""Table options (ENGINE, DEFAULT CHARSET, COLLATE, ROW_FORMAT, COMMENT, ...)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableOptions:
    """Options in the order the server prints them; values are SQL text ("'a comment'")."""

    items: tuple[tuple[str, str], ...]

    def get(self, key: str) -> str | None:
        for name, value in self.items:
            if name == key:
                return value
        return None

    def as_dict(self) -> dict[str, str]:
        return dict(self.items)

    @property
    def engine(self) -> str | None:
        return self.get("ENGINE")

    @property
    def charset(self) -> str | None:
        return self.get("DEFAULT CHARSET")

    @property
    def collation(self) -> str | None:
        return self.get("COLLATE")

    @property
    def row_format(self) -> str | None:
        return self.get("ROW_FORMAT")
