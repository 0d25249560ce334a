"""Quantities as people read them (shared by the library's messages and the views)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path, PurePath


def human_size(n: int) -> str:
    """Bytes as people read them: 998 B, 14.6 KB, 205.3 MB."""
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`1 statement`, `2 statements`: one wording for every count a message shows."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def relative(path: Path, root: Path) -> str:
    """`path` relative to the project when it is inside it (shorter to read)."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def json_record(obj: object, *fields: str) -> dict[str, object]:
    """An object's fields as a JSON record, in this order: each `key` or `key=attribute`;
    datetimes as ISO text, paths as text, None as it is."""
    found: dict[str, object] = {}
    for field in fields:
        key, _, attribute = field.partition("=")
        value = getattr(obj, attribute or key)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, PurePath):
            value = str(value)
        found[key] = value
    return found
