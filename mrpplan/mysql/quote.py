"""Identifier and literal quoting for generated SQL."""

from __future__ import annotations

import hashlib


def ident(name: str) -> str:
    """Backtick-quote an identifier."""
    return "`" + name.replace("`", "``") + "`"


def fitted_name(head: str, name: str) -> str:
    """`<head><name>`, its `name` shortened with a hash of it to fit MariaDB's 64
    characters (the same name always gives the same result)."""
    full = f"{head}{name}"
    if len(full) <= 64:
        return full
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    keep = 64 - len(head) - len(digest) - 1
    return f"{head}{name[:keep]}_{digest}"


def literal(value: object) -> str:
    """A SQL literal for a Python value (None, numbers, bytes, str)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex() if value else "''"
    text = str(value)
    text = (
        text.replace("\\", "\\\\")
        .replace("'", "\\'")
        .replace("\0", "\\0")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\x1a", "\\Z")
    )
    return f"'{text}'"
