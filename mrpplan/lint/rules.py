"""The lint rules: id -> default level and what it means (README's rule table)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ERROR = "error"
WARNING = "warning"
OFF = "off"
LEVELS = (ERROR, WARNING, OFF)


@dataclass(frozen=True)
class Rule:
    """A lint rule: its id, its default level, what it finds."""

    id: str
    level: str  # the default level
    summary: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule("no-primary-key", ERROR, "a table without a PRIMARY KEY"),
        Rule("duplicate-index", WARNING, "an index whose columns start another index"),
        Rule("utf8mb3", WARNING, "a table or column in utf8mb3 (cannot store all of Unicode)"),
        Rule("zero-date-default", ERROR, "a date/time column defaulting to a zero date"),
        Rule("float-money", ERROR, "FLOAT/DOUBLE for an amount, price, cost or quantity"),
        Rule("auto-increment-capacity", WARNING, "live: more than 80% of an AUTO_INCREMENT used"),
        Rule("enum-value-removed", WARNING, "an ENUM/SET value removed: rows holding it change"),
        Rule(
            "dropped-column-still-referenced",
            ERROR,
            "a dropped column is still named by a view, trigger or routine",
        ),
        Rule(
            "rename-as-drop-add",
            WARNING,
            "a column dropped and one of the same type added: a rename loses the values",
        ),
    )
}


@dataclass(frozen=True)
class Finding:
    """One finding of a rule, placed at the statement that made it."""

    rule: str
    message: str
    file: Path | None = None
    line: int = 1
    level: str = WARNING
    migration: str | None = None  # the migration it comes from (allow comments apply)

    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.file else "(live database)"

    def text(self) -> str:
        return f"{self.where()}: {self.level}: {self.message} [{self.rule}]"
