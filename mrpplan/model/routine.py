"""Stored procedures, functions, triggers and events, compared by canonical text."""

from __future__ import annotations

from dataclasses import dataclass

from mrpplan.model.canonical import sha256_text

ROUTINE_KINDS = ("PROCEDURE", "FUNCTION", "TRIGGER", "EVENT")


@dataclass(frozen=True)
class Routine:
    """`canonical` is SHOW CREATE <kind> without DEFINER: runnable as one statement."""

    kind: str  # PROCEDURE | FUNCTION | TRIGGER | EVENT
    name: str
    canonical: str
    table: str | None = None  # for triggers: the table it fires on

    @property
    def fingerprint(self) -> str:
        return sha256_text(self.canonical)
