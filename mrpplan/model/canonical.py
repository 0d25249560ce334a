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


_KEY_RANK = (("UNIQUE KEY ", 0), ("KEY ", 1), ("FULLTEXT KEY ", 2), ("SPATIAL KEY ", 3))


def canonical_table_text(show_create: str) -> str:
    """SHOW CREATE TABLE text without what is history rather than schema.

    Two things are dropped or normalized: the AUTO_INCREMENT=N counter, and the order of
    secondary keys and constraints (the server prints them in creation order, so the same
    table built two ways would differ). Columns keep their order: it is schema.
    """
    text = strip_auto_increment(show_create)
    lines = text.split("\n")
    close = next((i for i, line in enumerate(lines) if line.startswith(")")), None)
    if close is None or not lines[0].endswith("("):
        return text
    body = [line.removesuffix(",") for line in lines[1:close]]
    columns = [line for line in body if line.startswith("  `")]
    rest = [line for line in body if not line.startswith("  `")]
    primary = [line for line in rest if line.startswith("  PRIMARY KEY ")]
    keys = sorted((line for line in rest if _key_rank(line) is not None), key=_key_sort)
    fks = sorted(
        line for line in rest if line.startswith("  CONSTRAINT ") and " FOREIGN KEY " in line
    )
    grouped = set(primary) | set(keys) | set(fks)
    checks = sorted(
        line for line in rest if line.startswith("  CONSTRAINT ") and line not in grouped
    )
    ordered = columns + primary + keys + fks + checks
    if len(ordered) != len(body):  # something unexpected: keep the server's text
        return text
    return "\n".join([lines[0], ",\n".join(ordered), *lines[close:]])


def _key_rank(line: str) -> int | None:
    for start, rank in _KEY_RANK:
        if line.startswith("  " + start):
            return rank
    return None


def _key_sort(line: str) -> tuple[int, str]:
    return (_key_rank(line) or 0, line)


def is_mrpplan_object(name: str) -> bool:
    """mrpplan's own tables (history, journal, trash, workspaces) are never schema."""
    return name.startswith(("mrpplan_", "_mrpplan"))
