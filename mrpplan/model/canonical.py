"""Canonical text helpers: what counts as schema (not data) and its sha256."""

from __future__ import annotations

import hashlib

from mrpplan.model.layout import canonical_text, clustered_candidates, strip_auto_increment

__all__ = [
    "canonical_table_text",
    "is_mrpplan_object",
    "remember_canonical",
    "sha256_text",
    "strip_auto_increment",
]


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical_table_text(text: str) -> str:
    """What equality and fingerprints of a table compare (see mrpplan.model.layout):
    the text without AUTO_INCREMENT=N, keys and constraints by name, and the ordered
    clustered-index candidates when there is no primary key. Remembered by text: a plan
    compares each live table with its desired copy, mostly the very same text, whose
    canonical text the desired-schema cache already holds (`remember_canonical`)."""
    known = _KNOWN.get(text)
    if known is None:
        stripped = strip_auto_increment(text)
        known = canonical_text(stripped, clustered_candidates(stripped))
        remember_canonical(text, known)
    return known


_KNOWN: dict[str, str] = {}
_KNOWN_LIMIT = 50_000


def remember_canonical(text: str, canonical: str) -> None:
    """Record a table text's canonical text (computed by `canonical_table_text` before)."""
    if len(_KNOWN) >= _KNOWN_LIMIT:
        _KNOWN.clear()
    _KNOWN[text] = canonical


def is_mrpplan_object(name: str) -> bool:
    """mrpplan's own tables (history, journal, trash, workspaces) are never schema."""
    return name.startswith(("mrpplan_", "_mrpplan"))
