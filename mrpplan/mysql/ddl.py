"""Changes -> MariaDB/MySQL DDL. Reverse SQL is the rendering of the inverted changes in
reverse order (DESIGN §4.3), never written by hand.

Consecutive changes of one table become one ALTER TABLE; foreign keys are dropped and
added in statements of their own (the differ orders them around everything else).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mrpplan.diff.changes import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    AddIndex,
    AlterTableOptions,
    Change,
    CreateRoutine,
    CreateTable,
    CreateView,
    DropCheck,
    DropColumn,
    DropForeignKey,
    DropIndex,
    DropRoutine,
    DropTable,
    DropView,
    ModifyColumn,
    RenameColumn,
    RenameIndex,
    ReplaceView,
    RestoreTable,
    SetIndexIgnored,
    SetSystemVersioning,
    TableClause,
    TrashTable,
    UnsupportedTableChange,
)
from mrpplan.diff.partition_changes import AlterPartitioning
from mrpplan.model.layout import without_elements
from mrpplan.model.table import Table
from mrpplan.mysql.algorithm import predict_algorithm
from mrpplan.mysql.flavor import Flavor
from mrpplan.mysql.quote import ident

ALTER_CLAUSES = (
    AddColumn,
    DropColumn,
    ModifyColumn,
    AddIndex,
    DropIndex,
    RenameIndex,
    AddCheck,
    DropCheck,
    AlterTableOptions,
    SetIndexIgnored,
    SetSystemVersioning,
)
# ALTERs of a system-versioned table are refused unless history is kept (error 4119).
KEEP_HISTORY = "SET STATEMENT system_versioning_alter_history=KEEP FOR "

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
        inverse = [c.inverse() for c in reversed(group)]
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
            )
        )
    return out


def _group_key(change: Change) -> tuple[str, str] | None:
    if isinstance(change, ALTER_CLAUSES):
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
    if isinstance(first, (DropForeignKey, AddForeignKey, *ALTER_CLAUSES)):
        return predict_algorithm(group, flavor)
    return "n/a"


def render_sql(group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
    """SQL for changes that share one statement (as grouped by render_changes)."""
    if not group:
        return ()
    first = group[0]
    table = ident(first.table)
    if isinstance(first, ALTER_CLAUSES):
        keep = KEEP_HISTORY if _versioned(group) else ""
        return (f"{keep}ALTER TABLE {table} " + ", ".join(alter_clauses(group, flavor)),)
    if isinstance(first, AlterPartitioning):
        keep = KEEP_HISTORY if first.versioned else ""
        return (f"{keep}ALTER TABLE {table} {first.op.clause}",)
    if isinstance(first, DropForeignKey):
        items = [f"DROP FOREIGN KEY {ident(c.foreign_key.name)}" for c in group]  # type: ignore[attr-defined]
        return (f"ALTER TABLE {table} " + ", ".join(items),)
    if isinstance(first, AddForeignKey):
        fks = [c.foreign_key for c in group if isinstance(c, AddForeignKey)]
        items = []
        if flavor.supports_rename_index():
            # A same-name RENAME makes a key the server once generated for a foreign key
            # an ordinary one, so it is not replaced by a new key named after the FK.
            keys = dict.fromkeys(k for fk in fks for k in fk.indexes if k != "PRIMARY")
            items += [f"RENAME INDEX {ident(k)} TO {ident(k)}" for k in keys]
        items += [f"ADD {fk.definition}" for fk in fks]
        return (f"ALTER TABLE {table} " + ", ".join(items),)
    if len(group) != 1:
        raise ValueError("only table clauses and foreign keys share a statement")
    return _render_one(first)


def _versioned(group: Sequence[Change]) -> bool:
    return any(
        isinstance(c, SetSystemVersioning)
        or (isinstance(c, TableClause) and c.options is not None and c.options.versioned)
        for c in group
    )


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


def alter_clauses(group: Sequence[Change], flavor: Flavor) -> list[str]:
    """Clauses of one ALTER TABLE in an order the server accepts.

    The server drops first and then places positioned columns in clause order; columns
    are placed after their target predecessor, so the ones whose predecessor is itself
    being placed come after it (this also makes the reversed list come out right).
    """
    clauses: list[str] = []
    for c in group:
        if isinstance(c, SetSystemVersioning) and not c.versioned:
            clauses.append("DROP SYSTEM VERSIONING")
    clauses += [f"DROP CONSTRAINT {ident(c.check.name)}" for c in group if isinstance(c, DropCheck)]
    for c in group:
        if isinstance(c, DropIndex):
            clauses.append(_drop_index(c.index.name))
    for c in group:
        if isinstance(c, RenameIndex):
            if flavor.supports_rename_index():
                clauses.append(f"RENAME INDEX {ident(c.old.name)} TO {ident(c.new.name)}")
            else:
                clauses += [_drop_index(c.old.name), f"ADD {c.new.definition}"]
    clauses += [f"DROP COLUMN {ident(c.column.name)}" for c in group if isinstance(c, DropColumn)]
    for c in group:
        if isinstance(c, ModifyColumn) and not c.moved:
            clauses.append(_column_clause(c))
    clauses += [_column_clause(c) for c in _placement_order(group)]
    clauses += [f"ADD {c.index.definition}" for c in group if isinstance(c, AddIndex)]
    clauses += [f"ADD {c.check.definition}" for c in group if isinstance(c, AddCheck)]
    for c in group:
        if isinstance(c, SetIndexIgnored):
            state = "IGNORED" if c.ignored else "NOT IGNORED"
            clauses.append(f"ALTER INDEX {ident(c.index.name)} {state}")
    for c in group:
        if isinstance(c, AlterTableOptions):
            clauses += _option_clauses(c)
    for c in group:
        if isinstance(c, SetSystemVersioning) and c.versioned:
            clauses.append("ADD SYSTEM VERSIONING")
    return clauses


def _drop_index(name: str) -> str:
    return "DROP PRIMARY KEY" if name == "PRIMARY" else f"DROP KEY {ident(name)}"


def _placement_order(group: Sequence[Change]) -> list[Change]:
    placed = [
        c for c in group if isinstance(c, AddColumn) or (isinstance(c, ModifyColumn) and c.moved)
    ]
    names = {_target_name(c) for c in placed}
    done: set[str] = set()
    ordered: list[Change] = []
    while placed:
        ready = [c for c in placed if _after(c) is None or _after(c) not in names - done]
        if not ready:  # cannot happen for a consistent diff; keep the given order
            ready = placed[:1]
        for c in ready:
            ordered.append(c)
            done.add(_target_name(c))
            placed.remove(c)
    return ordered


def _target_name(c: Change) -> str:
    return c.column.name if isinstance(c, AddColumn) else c.new.name  # type: ignore[attr-defined]


def _after(c: Change) -> str | None:
    return c.after  # type: ignore[attr-defined, no-any-return]


def _column_clause(c: Change) -> str:
    if isinstance(c, AddColumn):
        return f"ADD COLUMN {ident(c.column.name)} {c.column.ddl}{_position(c.after)}"
    assert isinstance(c, ModifyColumn)
    where = _position(c.after) if c.moved else ""
    if isinstance(c, RenameColumn):
        return f"CHANGE COLUMN {ident(c.old.name)} {ident(c.new.name)} {c.new.ddl}{where}"
    return f"MODIFY COLUMN {ident(c.new.name)} {c.new.ddl}{where}"


def _position(after: str | None) -> str:
    return " FIRST" if after is None else f" AFTER {ident(after)}"


_RESET = {
    "COMMENT": "''",
    "KEY_BLOCK_SIZE": "0",
    "MAX_ROWS": "0",
    "MIN_ROWS": "0",
    "AVG_ROW_LENGTH": "0",
    "CHECKSUM": "0",
    "PACK_KEYS": "DEFAULT",
}


def _option_clauses(c: AlterTableOptions) -> list[str]:
    out: list[str] = []
    charset_done = False
    for key, _old, new in c.changed():
        if key in ("DEFAULT CHARSET", "COLLATE"):
            if not charset_done:
                charset_done = True
                text = f"DEFAULT CHARSET={c.new.charset or 'DEFAULT'}"
                if c.new.collation:
                    text += f" COLLATE={c.new.collation}"
                out.append(text)
            continue
        out.append(f"{key}={new if new is not None else _RESET.get(key, 'DEFAULT')}")
    return out


def trash_table_name(table: str, timestamp: str) -> str:
    """`_mrpplan_trash_<ts>_<table>`, shortened with a hash to fit 64 characters."""
    name = f"_mrpplan_trash_{timestamp}_{table}"
    if len(name) <= 64:
        return name
    digest = hashlib.sha256(table.encode()).hexdigest()[:8]
    keep = 64 - len(f"_mrpplan_trash_{timestamp}_") - len(digest) - 1
    return f"_mrpplan_trash_{timestamp}_{table[:keep]}_{digest}"
