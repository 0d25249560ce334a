"""Lint the live tables while a plan builds its desired schema.

With no cache (a new clone, CI), lint parses every desired table after the build: about
1 ms of CPU each, while during the build the server works and Python waits. Most desired
tables are exactly the live ones, so a forked child (`mrpplan.forked`, started as the
live schema is read) works out the table rules' findings for the live tables' texts
during the build; lint takes them, keyed as its own cache is (name and verbatim text),
and parses only the tables whose text differs. Without fork, for a small schema, with a
warm cache, or when the child fails, lint parses as before: the same findings either way."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mrpplan.forked import Forked

# below this many tables parsing them takes less time than starting the child
MIN_TABLES = 100

Rows = list[list[str]]  # one table's findings: [rule, table, message] each

_pending: Forked[dict[str, Rows]] | None = None


def table_key(name: str, text: str) -> str:
    """The key of one table's findings: its name and verbatim text."""
    return hashlib.sha256(f"{name}\0{text}".encode()).hexdigest()


def table_rows(name: str, table: Any) -> Rows:
    from mrpplan.lint.schema_rules import table_findings

    return [list(f) for f in table_findings(name, table)]


def starter(cached: Path) -> Callable[[Any], None]:
    """What a plan calls with the live schema: start the child unless lint's table cache
    (`cached`) exists, since then lint parses only what changed."""

    def start(schema: Any) -> None:
        global _pending
        tables = dict(schema.tables)
        if _pending is not None or len(tables) < MIN_TABLES or cached.exists():
            return
        _pending = Forked(
            lambda: {table_key(n, t.text): table_rows(n, t) for n, t in tables.items()}
        )

    return start


def take() -> dict[str, Rows]:
    """The child's findings by table key (waiting for it to finish), or none."""
    global _pending
    found = _pending.result() if _pending is not None else None
    _pending = None
    return found or {}


def discard() -> None:
    """Stop a child whose findings lint did not need (its cache had them)."""
    global _pending
    if _pending is not None:
        _pending.cancel()
    _pending = None
