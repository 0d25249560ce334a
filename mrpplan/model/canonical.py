"""Canonical text helpers: what counts as schema (not data) and its sha256."""

from __future__ import annotations

import hashlib
import re

_AUTO_INCREMENT = re.compile(r" AUTO_INCREMENT=\d+(?=( |$))")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def strip_auto_increment(create_table: str) -> str:
    """Drop the `AUTO_INCREMENT=N` table option: it is a counter (data), not schema.

    Only the table-options line (after the last `)` line) is touched; a column named
    AUTO_INCREMENT or a comment mentioning it stays as it is.
    """
    head, sep, tail = create_table.rpartition("\n)")
    if not sep:
        return create_table
    first, nl, rest = tail.partition("\n")
    return head + sep + _AUTO_INCREMENT.sub("", first) + nl + rest


def is_mrpplan_object(name: str) -> bool:
    """mrpplan's own tables (history, journal, trash, workspaces) are never schema."""
    return name.startswith(("mrpplan_", "_mrpplan"))
