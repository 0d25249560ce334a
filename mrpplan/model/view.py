"""A view, compared by its canonical text (SHOW CREATE VIEW without DEFINER)."""

from __future__ import annotations

from dataclasses import dataclass

from mrpplan.model.canonical import sha256_text


@dataclass(frozen=True)
class View:
    """A view, as the server prints it."""

    name: str
    canonical: str  # "CREATE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW `v` AS select ..."

    @property
    def fingerprint(self) -> str:
        return sha256_text(self.canonical)
