"""What each statement of a migration does to the schema, and the SQL that undoes it.

The schema engine builds the canonical schema before the migration and after each of its
statements (in scratch databases, cached by source digest). Diffing consecutive schemas
gives, per statement: its reverse (rendered by the same code that renders forward DDL),
whether it is destructive, and which tables need a checkpoint because the reverse cannot
bring their data back. Per-statement reverses are what let a migration that fails at its
third statement be undone exactly: the executor runs the reverses of the two that ran.

Why not the hand-written down section? It undoes the whole file and cannot be split to
match the statements that ran; it is kept in the history row for `migrate down`.

Data a migration drops is kept (`keep_data_at`, the plan's timestamp), like declarative
drops: a plain `DROP TABLE t` runs as `RENAME TABLE t TO _mrpplan_trash_<ts>_t` (reverse:
the rename back), and before a statement drops columns, their values are copied with the
primary key into a trash table, which the reverse (and the recorded down SQL) joins back.
A rename back from a trash table is undone by renaming it to the trash table again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mrpplan.desired.statements import (
    Renames,
    column_renames,
    data_tables,
    inverted,
    merge_renames,
)
from mrpplan.mysql.flavor import Flavor
from mrpplan.mysql.quote import ident
from mrpplan.sqlfiles.split import SqlStatement
from mrpplan.sqlfiles.statement_kinds import ALLOWED, DATA_LOSING, DYNAMIC, Kind, classify
from mrpplan.sqlfiles.tokens import server_text, tokenize

if TYPE_CHECKING:
    from mrpplan.mysql.workspace_place import Workspace


@dataclass(frozen=True)
class StatementEffect:
    """One statement and how to undo it."""

    statement: SqlStatement
    reverse: tuple[str, ...]  # run in this order to undo the statement ((): nothing to undo)
    destructive: bool
    reasons: tuple[str, ...]
    checkpoint_tables: tuple[str, ...]  # data the reverse cannot bring back
    algorithm: str
    # (table, statements bringing it back) for each table it renamed to trash instead of dropping
    kept: tuple[tuple[str, tuple[str, ...]], ...] = ()
    restores: tuple[str, ...] = ()  # statements that put dropped column values back
    lock: str = "n/a"  # the weakest LOCK its ALTERs take (none | shared | exclusive | n/a)
    altered: tuple[str, ...] = ()  # tables it ALTERs
    renamed: tuple[tuple[str, str], ...] = ()  # (old, new) tables of a RENAME TABLE
    # an ALTER's tables (SHOW CREATE texts) before and after it ran in the workspace: what
    # the apply's rehearsal of it would find (mysql/rehearse.py `remember`)
    measured: tuple[dict[str, str], dict[str, str]] | None = None


@dataclass(frozen=True)
class Trace:
    before: Any  # model Schema before the first statement
    after: Any  # model Schema after the last
    effects: tuple[StatementEffect, ...]
    renames: Renames
    down: tuple[str, ...] | None = None  # generated_down, when the trace came from the cache
    losses: tuple[str, ...] | None = None  # rollback_losses, likewise

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
    workspace: Workspace,
    flavor: Flavor,
    prefix: Sequence[SqlStatement],
    statements: Sequence[SqlStatement],
    cache_dir: Path | None,
    *,
    keep_data_at: str | None = None,
) -> Trace:
    """Schemas after `prefix` and after each of `statements`, and each statement's effect."""
    return trace_chain(
        workspace, flavor, prefix, [statements], cache_dir, keep_data_at=keep_data_at
    )[0]


def trace_chain(
    workspace: Workspace,
    flavor: Flavor,
    prefix: Sequence[SqlStatement],
    groups: Sequence[Sequence[SqlStatement]],
    cache_dir: Path | None,
    *,
    keep_data_at: str | None = None,
) -> list[Trace]:
    """Consecutive migrations traced in one workspace: group i starts where i-1 ended.

    `keep_data_at` (a plan timestamp): rewrite drops so their data is kept (module doc).
    Traces are cached by the workspace key of the whole chain, the groups, the flavor and
    the timestamp: `apply` re-derives the plan it was given with that plan's timestamp, and
    finds the traces its `plan` made.
    """
    from mrpplan.desired.trace_cache import load_traces, store_traces, trace_file, trace_key
    from mrpplan.desired.workspace import desired_chain

    flat = [statement for group in groups for statement in group]
    ends = [0]
    for group in groups:
        ends.append(ends[-1] + len(group))
    chain = desired_chain(workspace, prefix, flat, cache_dir, wanted=ends)
    key = trace_key(chain.key, [len(g) for g in groups], flavor, keep_data_at)
    if cache_dir is not None:
        cached = load_traces(trace_file(cache_dir, key), groups, chain.schemas, ends)
        if cached is not None:
            return _measured_on(workspace, cached)
    schemas = chain.schemas
    if any(schema is None for schema in schemas):
        schemas = desired_chain(workspace, prefix, flat, cache_dir, keep=ends).schemas
    traces: list[Trace] = []
    for group, start in zip(groups, ends, strict=False):
        window = schemas[start : start + len(group) + 1]
        traces.append(_trace(group, window, flavor, keep_data_at))
    if cache_dir is not None:
        # the rollback is derived once, here: the cached and the returned traces carry it
        traces = [
            replace(t, down=tuple(generated_down(t, flavor)), losses=tuple(rollback_losses(t)))
            for t in traces
        ]
        store_traces(trace_file(cache_dir, key), groups, traces)
    return _measured_on(workspace, traces)


def _measured_on(workspace: Workspace, traces: list[Trace]) -> list[Trace]:
    """Tell the apply's rehearsals what each ALTER did in the workspace (the chain, and so
    the trace, is keyed by the workspace server's version)."""
    from mrpplan.desired.workspace import workspace_version
    from mrpplan.mysql.rehearse import remember

    version = workspace_version(workspace)
    for trace in traces:
        for effect in trace.effects:
            if effect.measured is not None:
                remember(version, effect.statement.text, *effect.measured)
    return traces


def _trace(
    statements: Sequence[SqlStatement],
    schemas: Sequence[Any],
    flavor: Flavor,
    keep_data_at: str | None = None,
) -> Trace:
    before = current = schemas[0]
    effects: list[StatementEffect] = []
    all_renames: list[Renames] = []
    for statement, after in zip(statements, schemas[1:], strict=True):
        first = len(effects)
        renames = column_renames(statement.text)
        all_renames.append(renames)
        found, changes_schema = _statement_effects(
            statement, current, after, renames, flavor, keep_data_at
        )
        effects.extend(found)
        if not changes_schema:
            continue  # DML: `current` stays
        measured = _measured(statement.text, current, after)
        if measured is not None:
            effects[first:] = [
                replace(e, measured=measured) if e.statement.text == statement.text else e
                for e in effects[first:]
            ]
        current = after
    return Trace(before, current, tuple(effects), merge_renames(all_renames))


def _statement_effects(
    statement: SqlStatement,
    current: Any,
    after: Any,
    renames: Renames,
    flavor: Flavor,
    keep_data_at: str | None,
) -> tuple[list[StatementEffect], bool]:
    """One statement's effects, and whether it changes the schema (DML does not)."""
    kind = classify(statement.text, flavor.version, flavor.is_mariadb)
    moved = _table_renames(statement.text, kind)
    if moved:  # exact and lossless both ways: not a drop plus a create
        back = "RENAME TABLE " + ", ".join(f"{ident(b)} TO {ident(a)}" for a, b in moved[::-1])
        return [
            StatementEffect(statement, (back,), False, (), (), "n/a", renamed=tuple(moved))
        ], True
    if kind.verdict in (DATA_LOSING, DYNAMIC):
        return [_losing(statement, kind, current, after, renames, flavor)], True
    touched = data_tables(server_text(statement.text, flavor.version, flavor.is_mariadb))
    if touched:  # DML: no schema effect; its rows come back from a checkpoint only
        mine = tuple(t for t in touched if not t.startswith("_mrpplan"))
        return [StatementEffect(statement, (), False, (), mine, "n/a")], False
    effect = _effect(statement, current, after, renames, flavor)
    if keep_data_at is not None:
        return _keeping_data(effect, current, after, renames, keep_data_at, flavor), True
    return [effect], True


_ALTER_TABLE = re.compile(r"^\s*ALTER\s+(?:ONLINE\s+|IGNORE\s+)*TABLE\s", re.I)


def _measured(text: str, before: Any, after: Any) -> tuple[dict[str, str], dict[str, str]] | None:
    """An ALTER's tables as the workspace had them before and after it (StatementEffect
    `measured`); None for other statements, or when it names anything but tables."""
    from mrpplan.sqlfiles.ddl_targets import ddl_targets

    if not _ALTER_TABLE.match(text):
        return None
    targets = ddl_targets(text)
    if targets is None or not targets.changed:
        return None
    names = targets.changed
    if any(n.startswith("_mrpplan") or n in before.views or n in after.views for n in names):
        return None  # mrpplan's own tables are not read back; a view is not rehearsed
    return (
        {n: before.tables[n].text for n in sorted(names) if n in before.tables},
        {n: after.tables[n].text for n in sorted(names) if n in after.tables},
    )


def _table_renames(text: str, kind: Kind) -> list[tuple[str, str]]:
    """(old, new) pairs of a plain `RENAME TABLE a TO b[, c TO d]`."""
    if kind.name != "RENAME TABLE" or kind.verdict != ALLOWED:
        return []
    tokens = [t for t in tokenize(text) if t.text != ";"][2:]
    pairs = []
    for at in range(0, len(tokens), 4):
        group = tokens[at : at + 4]
        if len(group) < 3 or not (group[0].is_name and group[1].word("TO") and group[2].is_name):
            return []
        if len(group) == 4 and group[3].text != ",":
            return []
        pairs.append((group[0].name, group[2].name))
    return pairs


def _losing(
    statement: SqlStatement, kind: Kind, before: Any, after: Any, renames: Renames, flavor: Flavor
) -> StatementEffect:
    """A data-losing kind (TRUNCATE, CREATE OR REPLACE TABLE, DROP PARTITION) checkpoints
    the tables it empties; dynamic SQL allowed by its file's annotation checkpoints every
    table first. Both count as destructive under the policy."""
    effect = _effect(statement, before, after, renames, flavor)
    if kind.verdict == DYNAMIC:
        from mrpplan.sqlfiles.statement_kinds import allow_dynamic_reason

        tables = tuple(t for t in before.tables if not t.startswith("_mrpplan"))
        why = (
            f"{kind.name} at {statement.where} is dynamic SQL allowed by the file's"
            f" `-- mrpplan:allow-dynamic {allow_dynamic_reason(statement.file) or ''}`:"
            " what it does cannot be read, so the whole database is checkpointed first"
        )
    else:
        tables = tuple(t for t in kind.tables if t in before.tables)
        if not tables:  # CREATE OR REPLACE of a new table loses nothing
            return effect
        why = f"{kind.name} {', '.join(f'`{t}`' for t in tables)}: {kind.why} (checkpointed first)"
    return replace(
        effect,
        destructive=True,
        reasons=(*effect.reasons, why),
        checkpoint_tables=tuple(dict.fromkeys((*effect.checkpoint_tables, *tables))),
    )


_DROP_TABLE = re.compile(
    r"^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?P<names>[^;]+?)\s*(?:RESTRICT|CASCADE)?\s*;?\s*$",
    re.I | re.S,
)
_FROM_TRASH = re.compile(
    r"^\s*RENAME\s+TABLE\s+(?P<pairs>`?_mrpplan_trash_\w+`?\s+TO\s+`?\w+`?"
    r"(?:\s*,\s*`?_mrpplan_trash_\w+`?\s+TO\s+`?\w+`?)*)\s*;?\s*$",
    re.I | re.S,
)


_PAIR = re.compile(r"`?(\w+)`?\s+TO\s+`?(\w+)`?", re.I)


def _names(text: str) -> list[str]:
    return [name.strip().strip("`") for name in text.split(",")]


def _keeping_data(
    effect: StatementEffect,
    before: Any,
    after: Any,
    renames: Renames,
    timestamp: str,
    flavor: Flavor,
) -> list[StatementEffect]:
    """The statement rewritten so that what it drops is kept (see the module docstring)."""
    from mrpplan.diff.ddl import trash_table_name

    text = effect.statement.text
    gone = [t for t in before.tables if t not in after.tables]
    dropped = _DROP_TABLE.match(text)
    if dropped and gone and sorted(_names(dropped.group("names"))) == sorted(gone):
        pairs = [
            (table, trash_table_name(table, timestamp)) for table in _names(dropped.group("names"))
        ]
        forward = "RENAME TABLE " + ", ".join(f"{ident(t)} TO {ident(k)}" for t, k in pairs)
        back = "RENAME TABLE " + ", ".join(f"{ident(k)} TO {ident(t)}" for t, k in reversed(pairs))
        unlinked = _without_foreign_keys(effect, before, [t for t, _k in pairs], flavor)
        readd = tuple(s for e in unlinked for s in e.reverse)
        return [
            *unlinked,
            replace(
                effect,
                statement=replace(effect.statement, text=forward),
                reverse=(back,),
                destructive=True,
                reasons=tuple(
                    f"drop table `{t}` (kept as `{k}` until retention purges it; "
                    "`migrate down` renames it back)"
                    for t, k in pairs
                ),
                checkpoint_tables=tuple(c for c in effect.checkpoint_tables if c not in gone),
                kept=_kept(pairs, readd),
            ),
        ]
    restored = _FROM_TRASH.match(text)
    if restored:
        pairs = [(m.group(1), m.group(2)) for m in _PAIR.finditer(restored.group("pairs"))]
        back = "RENAME TABLE " + ", ".join(f"{ident(t)} TO {ident(k)}" for k, t in reversed(pairs))
        return [
            replace(effect, reverse=(back,), destructive=False, reasons=(), checkpoint_tables=())
        ]
    copies: list[StatementEffect] = []
    restores: list[str] = []
    for table, columns, key in _dropped_columns(before, after, renames):
        trash = trash_table_name(f"{table}__{'_'.join(columns)}", timestamp)
        listed = ", ".join(ident(c) for c in (*key, *columns))
        copy = f"CREATE TABLE {ident(trash)} ENGINE=InnoDB AS SELECT {listed} FROM {ident(table)}"
        copies.append(
            StatementEffect(
                statement=replace(effect.statement, text=copy),
                reverse=(f"DROP TABLE IF EXISTS {ident(trash)}",),
                destructive=False,
                reasons=(),
                checkpoint_tables=(),
                algorithm="n/a",
            )
        )
        sets = ", ".join(f"{ident(table)}.{ident(c)} = {ident(trash)}.{ident(c)}" for c in columns)
        restores.append(
            f"UPDATE {ident(table)} JOIN {ident(trash)} USING ({', '.join(ident(k) for k in key)}) "
            f"SET {sets}"
        )
    if not copies:
        return [effect]
    kept = replace(effect, reverse=(*effect.reverse, *restores), restores=tuple(restores))
    return [*copies, kept]


def _kept(pairs: Sequence[tuple[str, str]], readd: tuple[str, ...]) -> tuple[Any, ...]:
    """(table, statements bringing it back): renames back, then the foreign keys again."""
    kept: list[tuple[str, tuple[str, ...]]] = [
        (t, (f"RENAME TABLE {ident(k)} TO {ident(t)}",)) for t, k in pairs
    ]
    table, back = kept[-1]
    kept[-1] = (table, (*back, *readd))
    return tuple(kept)


def _without_foreign_keys(
    effect: StatementEffect, before: Any, tables: Sequence[str], flavor: Flavor
) -> list[StatementEffect]:
    """Foreign key names are unique per database: a table goes to trash without its foreign
    keys (as declarative drops do), so the name is free if the table is made again; the
    reverse adds them back after the rename back."""
    from mrpplan.diff.changes import DropForeignKey
    from mrpplan.diff.ddl import render_changes

    drops = [DropForeignKey(t, fk) for t in tables for fk in before.tables[t].foreign_keys]
    return [
        replace(
            effect,
            statement=replace(effect.statement, text=sql),
            reverse=rendered.reverse_sql,
            destructive=False,
            reasons=(),
            checkpoint_tables=(),
            algorithm=rendered.algorithm,
        )
        for rendered in render_changes(drops, flavor)
        for sql in rendered.sql
    ]


def _dropped_columns(
    before: Any, after: Any, renames: Renames
) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(table, dropped columns, primary key) for tables that keep a primary key."""
    found = []
    for name, old in before.tables.items():
        new = after.tables.get(name)
        if new is None or new.text == old.text or not old.supported or not new.supported:
            continue  # untouched by the statement (compared first: parsing costs)
        moved = renames.get(name, {})
        kept = set(new.column_names())
        columns = tuple(c for c in old.column_names() if c not in kept and c not in moved)
        key = old.primary_key()
        if not columns or key is None:
            continue
        key_columns = tuple(part.column for part in key.parts)
        if any(k in columns or k not in kept for k in key_columns):
            continue
        found.append((name, columns, key_columns))
    return found


def generated_down(trace: Trace, flavor: Flavor) -> list[str]:
    """The whole migration's rollback: diff after -> before, rendered (renames kept)."""
    if trace.down is not None:
        return list(trace.down)
    from mrpplan.diff import diff_schemas
    from mrpplan.diff.ddl import render_changes

    changes = diff_schemas(trace.after, trace.before, renames=inverted(trace.renames) or None)
    return [sql for rendered in render_changes(changes, flavor) for sql in rendered.sql]


def rollback_losses(trace: Trace) -> list[str]:
    """What the generated rollback would lose (a narrowed type, a dropped column), so the
    plan says so before the migration runs: going back is destructive too."""
    from mrpplan.diff import diff_schemas

    if trace.losses is not None:
        return list(trace.losses)

    changes = diff_schemas(trace.after, trace.before, renames=inverted(trace.renames) or None)
    return [change.reason for change in changes if change.destructive]


def _effect(
    statement: SqlStatement, before: Any, after: Any, renames: Renames, flavor: Flavor
) -> StatementEffect:
    from mrpplan.diff import diff_schemas
    from mrpplan.diff.ddl import render_changes

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
    locks = [r.lock for r in rendered if r.lock in _LOCKS]
    stated_algorithm, stated_lock = stated_clauses(statement.text)
    if algorithms and stated_algorithm:  # the author's ALGORITHM=COPY copies, whatever
        algorithms.append(stated_algorithm)  # the server could have done faster
    if stated_lock and locks:
        locks.append(stated_lock)
    algorithm = _slowest(algorithms)
    if algorithm == "copy":
        locks.append("shared")
    return StatementEffect(
        statement=statement,
        reverse=tuple(reverse),
        destructive=any(r.destructive for r in rendered),
        reasons=tuple(r.reason for r in rendered if r.destructive),
        checkpoint_tables=tuple(tables),
        algorithm=algorithm,
        lock=max(locks, key=_LOCKS.index) if locks else "n/a",
        altered=tuple(dict.fromkeys(r.object for r in rendered if r.action == "alter_table")),
    )


_LOCKS = ("none", "shared", "exclusive")
_ALTER = re.compile(
    r"^\s*(?:/\*.*?\*/\s*)*(?:ALTER\s+(?:ONLINE\s+|IGNORE\s+)*TABLE|"
    r"CREATE\s+(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX|DROP\s+INDEX)\b",
    re.I | re.S,
)
_STATED = re.compile(
    r"\b(ALGORITHM|LOCK)\s*=?\s*(INSTANT|NOCOPY|INPLACE|COPY|NONE|SHARED|EXCLUSIVE)\b", re.I
)


def stated_clauses(text: str) -> tuple[str | None, str | None]:
    """The ALGORITHM and LOCK an ALTER (or CREATE/DROP INDEX) names itself, lower case."""
    if not _ALTER.match(text):
        return None, None
    found = {k.upper(): v.lower() for k, v in _STATED.findall(text)}
    algorithm = found.get("ALGORITHM")
    lock = found.get("LOCK")
    return (
        algorithm if algorithm in _ORDER else None,
        lock if lock in _LOCKS else None,
    )


_ORDER = ("instant", "nocopy", "inplace", "copy")


def _slowest(algorithms: Sequence[str]) -> str:
    known = [a for a in algorithms if a in _ORDER]
    if not known:
        return "n/a"
    return max(known, key=_ORDER.index)
