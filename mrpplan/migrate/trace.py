"""What each statement of a migration does to the schema, and the SQL that undoes it.

The schema engine builds the canonical schema before the migration and after each of its
statements (in scratch databases, cached by source digest). Diffing consecutive schemas
gives, per statement: its reverse (rendered by the same code that renders forward DDL),
whether it is destructive, and which tables need a checkpoint because the reverse cannot
bring their data back. Per-statement reverses are what let a migration that fails at its
third statement be undone exactly: the executor runs the reverses of the two that ran.

Why not the hand-written down section? It undoes the whole file and cannot be split to
match the statements that ran; it is kept in the history row for `migrate down`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mrpplan.config.settings import ConnectionSettings
from mrpplan.migrate.statements import (
    Renames,
    column_renames,
    data_tables,
    inverted,
    merge_renames,
)
from mrpplan.mysql.flavor import Flavor
from mrpplan.sqlfiles.split import SqlStatement


@dataclass(frozen=True)
class StatementEffect:
    """One statement and how to undo it."""

    statement: SqlStatement
    reverse: tuple[str, ...]  # run in this order to undo the statement ((): nothing to undo)
    destructive: bool
    reasons: tuple[str, ...]
    checkpoint_tables: tuple[str, ...]  # data the reverse cannot bring back
    algorithm: str


@dataclass(frozen=True)
class Trace:
    before: Any  # model Schema before the first statement
    after: Any  # model Schema after the last
    effects: tuple[StatementEffect, ...]
    renames: Renames

    @property
    def destructive(self) -> bool:
        return any(e.destructive for e in self.effects)

    @property
    def checkpoint_tables(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for effect in self.effects:
            for table in effect.checkpoint_tables:
                seen.setdefault(table, None)
        return tuple(seen)


def trace_statements(
    settings: ConnectionSettings,
    flavor: Flavor,
    prefix: Sequence[SqlStatement],
    statements: Sequence[SqlStatement],
    cache_dir: Path | None,
) -> Trace:
    """Schemas after `prefix` and after each of `statements`, and each statement's effect."""
    return trace_chain(settings, flavor, prefix, [statements], cache_dir)[0]


def trace_chain(
    settings: ConnectionSettings,
    flavor: Flavor,
    prefix: Sequence[SqlStatement],
    groups: Sequence[Sequence[SqlStatement]],
    cache_dir: Path | None,
) -> list[Trace]:
    """Consecutive migrations traced in one workspace: group i starts where i-1 ended."""
    from mrpplan.mysql.workspace import desired_schemas

    flat = [statement for group in groups for statement in group]
    schemas = desired_schemas(settings, list(prefix), flat, cache_dir)
    traces: list[Trace] = []
    offset = 0
    for group in groups:
        traces.append(_trace(group, schemas[offset : offset + len(group) + 1], flavor))
        offset += len(group)
    return traces


def _trace(statements: Sequence[SqlStatement], schemas: Sequence[Any], flavor: Flavor) -> Trace:
    before = current = schemas[0]
    effects: list[StatementEffect] = []
    all_renames: list[Renames] = []
    for statement, after in zip(statements, schemas[1:], strict=True):
        renames = column_renames(statement.text)
        all_renames.append(renames)
        touched = data_tables(statement.text)
        if touched:  # DML: no schema effect; its rows come back from a checkpoint only
            effects.append(StatementEffect(statement, (), False, (), tuple(touched), "n/a"))
            continue
        effects.append(_effect(statement, current, after, renames, flavor))
        current = after
    return Trace(before, current, tuple(effects), merge_renames(all_renames))


def generated_down(trace: Trace, flavor: Flavor) -> list[str]:
    """The whole migration's rollback: diff after -> before, rendered (renames kept)."""
    from mrpplan.diff import diff_schemas
    from mrpplan.mysql.ddl import render_changes

    changes = diff_schemas(trace.after, trace.before, renames=inverted(trace.renames) or None)
    return [sql for rendered in render_changes(changes, flavor) for sql in rendered.sql]


def _effect(
    statement: SqlStatement, before: Any, after: Any, renames: Renames, flavor: Flavor
) -> StatementEffect:
    from mrpplan.diff import diff_schemas
    from mrpplan.mysql.ddl import render_changes

    changes = diff_schemas(before, after, renames=renames or None)
    rendered = render_changes(changes, flavor)
    reverse: list[str] = []
    for item in reversed(rendered):
        reverse.extend(item.reverse_sql or ())
    tables: dict[str, None] = {}
    for item in rendered:
        if item.needs_checkpoint:
            for table in item.tables or (item.object,):
                tables.setdefault(table, None)
    algorithms = [r.algorithm for r in rendered if r.algorithm and r.algorithm != "n/a"]
    return StatementEffect(
        statement=statement,
        reverse=tuple(reverse),
        destructive=any(r.destructive for r in rendered),
        reasons=tuple(r.reason for r in rendered if r.destructive),
        checkpoint_tables=tuple(tables),
        algorithm=_slowest(algorithms),
    )


_ORDER = ("instant", "nocopy", "inplace", "copy")


def _slowest(algorithms: Sequence[str]) -> str:
    known = [a for a in algorithms if a in _ORDER]
    if not known:
        return "n/a"
    return max(known, key=_ORDER.index)
