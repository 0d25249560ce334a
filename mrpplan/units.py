"""Quantities as people read them (shared by the library's messages and the views)."""

from __future__ import annotations

from pathlib import Path


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
