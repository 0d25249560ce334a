"""Changes -> MariaDB/MySQL DDL. Reverse SQL is the rendering of the inverted changes in
reverse order (DESIGN §4.3), never written by hand.

Consecutive changes of one table become one ALTER TABLE; foreign keys are dropped and
added in statements of their own (the differ orders them around everything else).
Every ALTER TABLE names the ALGORITHM and LOCK mrpplan predicts (DESIGN §3.8): when the
prediction is wrong the server refuses the statement instead of silently taking a
stronger lock (blocking writes for a whole table copy), and nothing of it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mrpplan.diff.algorithm import predict_algorithm, predict_lock
from mrpplan.diff.alter_table import KEEP_HISTORY, AlterTable
from mrpplan.diff.change import TableClause, undo_of
from mrpplan.diff.changes import (
    AddForeignKey,
    Change,
    CreateRoutine,
    CreateTable,
    CreateView,
    DropForeignKey,
    DropRoutine,
    DropTable,
    DropView,
    ReplaceView,
    RestoreTable,
    TrashTable,
    UnsupportedTableChange,
)
from mrpplan.diff.partition_changes import AlterPartitioning
from mrpplan.model.layout import without_elements
from mrpplan.model.table import Table
from mrpplan.mysql.flavor import Flavor
from mrpplan.mysql.quote import fitted_name, ident

_NOT_TABLES = (CreateView, DropView, ReplaceView, CreateRoutine, DropRoutine)


@dataclass(frozen=True)
class RenderedChange:
    """One plan step's worth of SQL: `reverse_sql` renders the inverted changes."""

    action: str
    object: str
    sql: tuple[str, ...]
    reverse_sql: tuple[str, ...]
    destructive: bool
    reason: str
    algorithm: str  # instant | nocopy | inplace | copy | n/a
    kind: str  # add | change | destroy
    tables: tuple[str, ...]
    needs_checkpoint: bool
    changes: tuple[Change, ...] = ()
    lock: str = "n/a"  # none | shared | exclusive | n/a: the weakest LOCK= the ALTER takes


def render_changes(
    changes: Sequence[Change],
    flavor: Flavor,
    *,
    trash_name: Callable[[str], str] | None = None,
) -> list[RenderedChange]:
    """One RenderedChange per group of consecutive changes that share one statement."""
    if trash_name is not None:
        changes = [
            TrashTable(c.table, c.definition, trash_name(c.table))
            if isinstance(c, DropTable)
            else c
            for c in changes
        ]
    out: list[RenderedChange] = []
    for group in _groups(changes):
        inverse = [undo_of(c) for c in reversed(group)]
        risks = [c for c in group if c.destructive]
        kinds = {c.kind for c in group}
        kind = "destroy" if "destroy" in kinds else ("add" if kinds == {"add"} else "change")
        out.append(
            RenderedChange(
                action=_action(group[0]),
                object=group[0].table,
                sql=render_sql(group, flavor),
                reverse_sql=render_sql(inverse, flavor),
                destructive=bool(risks),
                reason="; ".join(c.reason for c in group),
                algorithm=_algorithm(group, flavor),
                kind=kind,
                tables=() if isinstance(group[0], _NOT_TABLES) else (group[0].table,),
                needs_checkpoint=any(c.needs_checkpoint for c in group),
                changes=tuple(group),
                lock=_lock(group, flavor),
            )
        )
    return out


def _group_key(change: Change) -> tuple[str, str] | None:
    if isinstance(change, TableClause):
        return ("alter", change.table)
    if isinstance(change, DropForeignKey):
        return ("fk-drop", change.table)
    if isinstance(change, AddForeignKey):
        return ("fk-add", change.table)
    return None


def _groups(changes: Sequence[Change]) -> list[list[Change]]:
    groups: list[list[Change]] = []
    last: tuple[str, str] | None = None
    for change in changes:
        key = _group_key(change)
        if key is not None and key == last:
            groups[-1].append(change)
        else:
            groups.append([change])
        last = key
    return groups


def _action(change: Change) -> str:
    if isinstance(change, (CreateTable, RestoreTable)):
        return "create_table"
    if isinstance(change, (DropTable, TrashTable)):
        return "drop_table"
    if isinstance(change, CreateView):
        return "create_view"
    if isinstance(change, DropView):
        return "drop_view"
    if isinstance(change, ReplaceView):
        return "replace_view"
    if isinstance(change, CreateRoutine):
        return f"create_{change.routine.kind.lower()}"
    if isinstance(change, DropRoutine):
        return f"drop_{change.routine.kind.lower()}"
    if isinstance(change, UnsupportedTableChange):
        return "unsupported_table"
    return "alter_table"


def _algorithm(group: list[Change], flavor: Flavor) -> str:
    first = group[0]
    if isinstance(first, AlterPartitioning):
        return first.op.algorithm
    if isinstance(first, (DropForeignKey, AddForeignKey, TableClause)):
        return predict_algorithm(group, flavor)
    return "n/a"


def _lock(group: list[Change], flavor: Flavor) -> str:
    first = group[0]
    if isinstance(first, AlterPartitioning):
        return first.lock()
    if isinstance(first, (DropForeignKey, AddForeignKey, TableClause)):
        return predict_lock(group, predict_algorithm(group, flavor), flavor)
    return "n/a"


def render_sql(group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
    """SQL for changes that share one statement (as grouped by render_changes)."""
    if not group:
        return ()
    first = group[0]
    table = ident(first.table)
    named = algorithm_lock_clause(_algorithm(list(group), flavor), _lock(list(group), flavor))
    if isinstance(first, TableClause):
        clauses = tuple(c for c in group if isinstance(c, TableClause))
        return (AlterTable(first.table, clauses).sql(flavor) + f", {named}",)
    if isinstance(first, AlterPartitioning):
        keep = KEEP_HISTORY if first.versioned else ""
        if first.lock() == "n/a":  # partition management takes no ALGORITHM/LOCK clause
            return (f"{keep}ALTER TABLE {table} {first.op.clause}",)
        # PARTITION BY / REMOVE PARTITIONING end the statement: the clause goes first
        return (f"{keep}ALTER TABLE {table} {named} {first.op.clause}",)
    if isinstance(first, DropForeignKey):
        items = [f"DROP FOREIGN KEY {ident(c.foreign_key.name)}" for c in group]  # type: ignore[attr-defined]
        return (f"ALTER TABLE {table} " + ", ".join(items) + f", {named}",)
    if isinstance(first, AddForeignKey):
        fks = [c.foreign_key for c in group if isinstance(c, AddForeignKey)]
        items = []
        if flavor.supports_rename_index():
            # A same-name RENAME makes a key the server once generated for a foreign key
            # an ordinary one, so it is not replaced by a new key named after the FK.
            keys = dict.fromkeys(k for fk in fks for k in fk.indexes if k != "PRIMARY")
            items += [f"RENAME INDEX {ident(k)} TO {ident(k)}" for k in keys]
        items += [f"ADD {fk.definition}" for fk in fks]
        return (f"ALTER TABLE {table} " + ", ".join(items) + f", {named}",)
    if len(group) != 1:
        raise ValueError("only table clauses and foreign keys share a statement")
    return _render_one(first)


def algorithm_lock_clause(algorithm: str, lock: str) -> str:
    """`ALGORITHM=INPLACE, LOCK=NONE`: what the ALTER may do at most, or be refused."""
    return f"ALGORITHM={algorithm.upper()}, LOCK={lock.upper()}"


def _render_one(change: Change) -> tuple[str, ...]:
    name = ident(change.table)
    if isinstance(change, CreateTable):
        return (create_table_sql(change.definition, change.deferred_fks),)
    if isinstance(change, DropTable):
        return (f"DROP TABLE {name}",)
    if isinstance(change, TrashTable):
        return (f"RENAME TABLE {name} TO {ident(change.trash)}",)
    if isinstance(change, RestoreTable):
        return (f"RENAME TABLE {ident(change.trash)} TO {name}",)
    if isinstance(change, CreateView):
        return (change.view.canonical,)
    if isinstance(change, DropView):
        return (f"DROP VIEW {name}",)
    if isinstance(change, ReplaceView):
        return ("CREATE OR REPLACE " + change.new.canonical.removeprefix("CREATE "),)
    if isinstance(change, CreateRoutine):
        return (change.routine.canonical,)
    if isinstance(change, DropRoutine):
        return (f"DROP {change.routine.kind} {ident(change.routine.name)}",)
    if isinstance(change, UnsupportedTableChange):
        return ()
    raise TypeError(f"cannot render {type(change).__name__}")


def create_table_sql(table: Table, without_fks: Sequence[str] = ()) -> str:
    """The server's own CREATE TABLE text, verbatim (the author's order of keys and
    constraints), minus foreign keys that are added later."""
    if not without_fks:
        return table.text
    skip = {fk.definition for fk in table.foreign_keys if fk.name in without_fks}
    return without_elements(table.text, skip)


def trash_table_name(table: str, timestamp: str) -> str:
    """`_mrpplan_trash_<ts>_<table>`, shortened with a hash to fit 64 characters."""
    return fitted_name(f"_mrpplan_trash_{timestamp}_", table)
