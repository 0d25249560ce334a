"""After a crash: what the statement that was running did to the tables it names.

The journal holds, for the running statement, the texts of its tables before it ran and
as it was to leave them (rehearsed on empty copies, plan/live.py `Expectation`). Compared
with the live texts that gives one of three outcomes: it took effect as planned, it did
not run, or it changed them otherwise (the server's own crash recovery rolled a copy
ALTER forward without its foreign keys, say). For the last, the differences are named per
table and the schema engine renders the statements that bring the tables to the wanted
side (before it for a rollback, after it for `--forward`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mrpplan.model.layout import LayoutError, element_kind, split_create
from mrpplan.model.schema import Schema
from mrpplan.model.table import Table
from mrpplan.plan.live import Expectation

TOOK_EFFECT = "took effect as planned"
NOT_RUN = "did not run"
OTHERWISE = "changed otherwise"


@dataclass(frozen=True)
class Settled:
    """One running statement's outcome; `live` holds its tables' texts now."""

    outcome: str  # TOOK_EFFECT | NOT_RUN | OTHERWISE
    expect: Expectation
    live: dict[str, str]

    def differences(self) -> list[str]:
        """Per table, how the live text differs from what the statement was to leave (or,
        when it could not be rehearsed, from the text before it)."""
        wanted = self.expect.after if self.expect.after is not None else self.expect.before
        lines: list[str] = []
        for name in self.expect.names:
            lines += table_differences(name, self.live.get(name), wanted.get(name))
        return lines


def settle(expect: Expectation, live: Mapping[str, str]) -> Settled:
    mine = {n: live[n] for n in expect.names if n in live}
    if _same(mine, expect.before, expect.names):
        return Settled(NOT_RUN, expect, mine)
    if expect.after is None or _same(mine, expect.after, expect.names):
        # not rehearsed (it reads other tables, names a database): changed = it ran
        return Settled(TOOK_EFFECT, expect, mine)
    return Settled(OTHERWISE, expect, mine)


def _same(live: Mapping[str, str], wanted: Mapping[str, str], names: tuple[str, ...]) -> bool:
    for name in names:
        a, b = live.get(name), wanted.get(name)
        if a == b:
            continue
        if a is None or b is None or not _same_table(name, a, b):
            return False
    return True


def _same_table(name: str, a: str, b: str) -> bool:
    if not (a.startswith("CREATE TABLE") and b.startswith("CREATE TABLE")):
        return False
    return Table(name, a).same_as(Table(name, b))


_NAME = re.compile(r"`((?:[^`]|``)+)`")
_KINDS = {"column": "columns", "key": "keys", "foreign_key": "foreign keys", "check": "checks"}


def table_differences(name: str, live: str | None, wanted: str | None) -> list[str]:
    """Readable lines: what `name` has that `wanted` has not, and the other way round."""
    if live == wanted:
        return []
    if live is None:
        return [f"{name} is missing"]
    if wanted is None:
        return [f"{name} exists but should not"]
    try:
        now, want = _elements(live), _elements(wanted)
    except LayoutError:
        return [f"{name} differs"]
    lines: list[str] = []
    for kind, label in _KINDS.items():
        have, need = now.get(kind, {}), want.get(kind, {})
        lost = [n for n in need if n not in have]
        extra = [n for n in have if n not in need]
        changed = [n for n in need if n in have and have[n] != need[n]]
        if lost:
            lines.append(f"{name} lost {label} {', '.join(lost)}")
        if extra:
            lines.append(f"{name} has {label} {', '.join(extra)} that it should not")
        for item in changed:
            lines.append(f"{name}: {item} is `{have[item]}`, should be `{need[item]}`")
    if now.get("options") != want.get("options"):
        lines.append(f"{name}: table options differ")
    return lines or ([] if _same_table(name, live, wanted) else [f"{name} differs"])


def _elements(text: str) -> dict[str, dict[str, str]]:
    parts = split_create(text)
    found: dict[str, dict[str, str]] = {"options": {"": parts.options + parts.tail}}
    for element in parts.elements:
        kind = element_kind(element)
        match = _NAME.search(element)
        key = "PRIMARY" if element.startswith("PRIMARY KEY") else (match.group(1) if match else "")
        found.setdefault(kind, {})[key] = element
    return found


def repair_sql(
    live: Mapping[str, str], wanted: Mapping[str, str], names: tuple[str, ...], flavor: Any
) -> list[str] | None:
    """Statements (the schema engine's) that turn the live tables into `wanted`; None when
    one of them is not a table (a view: nothing generic can rebuild it)."""
    from mrpplan.diff import diff_schemas
    from mrpplan.diff.ddl import render_changes

    texts = [*live.values(), *wanted.values()]
    if any(not t.startswith("CREATE TABLE") for t in texts):
        return None
    current = Schema(tables={n: Table(n, live[n]) for n in names if n in live})
    target = Schema(tables={n: Table(n, wanted[n]) for n in names if n in wanted})
    rendered = render_changes(
        diff_schemas(current, target), flavor, trash_name=lambda t: f"_mrpplan_trash_recover_{t}"
    )
    return [sql for r in rendered for sql in r.sql]
