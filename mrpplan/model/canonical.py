"""Canonical text helpers: what counts as schema (not data) and its sha256."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from mrpplan.model.layout import canonical_text, clustered_candidates, strip_auto_increment

__all__ = ["canonical_table_text", "is_mrpplan_object", "sha256_text", "strip_auto_increment"]


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=8192)
def canonical_table_text(text: str) -> str:
    """What equality and fingerprints of a table compare (see mrpplan.model.layout):
    the text without AUTO_INCREMENT=N, keys and constraints by name, and the ordered
    clustered-index candidates when there is no primary key. Cached by text: a plan
    compares a live table with its desired copy, mostly the very same text."""
    text = strip_auto_increment(text)
    return canonical_text(text, clustered_candidates(text))


def is_mrpplan_object(name: str) -> bool:
    """mrpplan's own tables (history, journal, trash, workspaces) are never schema."""
    return name.startswith(("mrpplan_", "_mrpplan"))
