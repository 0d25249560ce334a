"""diff_schemas: two models -> an ordered list of changes (DESIGN §4.1, §4.3).

Canonical texts are compared first; only tables whose text differs are parsed. The
order is foreign-key aware: foreign keys are dropped first, tables are created parents
first (foreign keys of a cycle are added at the end), foreign keys are added last.
"""

from __future__ import annotations

from collections.abc import Mapping

from mrpplan.diff import changes
from mrpplan.diff.change import Change
from mrpplan.diff.changes import (
    AddForeignKey,
    CreateTable,
    DropForeignKey,
    DropTable,
    UnsupportedTableChange,
)
from mrpplan.diff.clauses import ModifyColumn
from mrpplan.diff.order import parents_first
from mrpplan.diff.table_diff import diff_table
from mrpplan.model.schema import Schema


def diff_schemas(
    current: Schema,
    desired: Schema,
    *,
    renames: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Change]:
    """Changes that turn `current` into `desired`, in an order the server accepts.

    `renames` = {table: {old column: new column}} declares column renames (otherwise a
    renamed column is a drop plus an add).
    """
    renames = renames or {}
    fk_drops: list[Change] = []
    fk_adds: list[Change] = []
    alters: list[Change] = []
    drops: list[Change] = []
    creates: list[Change] = []

    changed = [
        n
        for n in sorted(desired.tables)
        if n in current.tables and not current.tables[n].same_as(desired.tables[n])
    ]
    for name in changed:
        old, new = current.tables[name], desired.tables[name]
        if not (old.supported and new.supported):
            why = old.unsupported_reason or new.unsupported_reason
            alters.append(UnsupportedTableChange(name, old, new, why))
            continue
        if old.parsed.system_period != new.parsed.system_period:
            why = "a change to its PERIOD or its ROW START/END columns is not modeled"
            alters.append(UnsupportedTableChange(name, old, new, why))
            continue
        drop_fk, inner, add_fk = diff_table(old, new, renames.get(name, {}))
        fk_drops += drop_fk
        alters += inner
        fk_adds += add_fk
    _rebuild_fks_of_changed_columns(current, desired, alters, fk_drops, fk_adds)

    for name in sorted(set(current.tables) - set(desired.tables)):
        table = current.tables[name]
        fk_names = tuple(fk.name for fk in table.foreign_keys)
        fk_drops += [DropForeignKey(name, fk) for fk in table.foreign_keys]
        drops.append(DropTable(name, table, fk_names))

    new_tables = {n: desired.tables[n] for n in set(desired.tables) - set(current.tables)}
    order, deferred = parents_first({n: t.references() for n, t in new_tables.items()})
    cyclic = {child for child, _parent in deferred}  # only these are parsed here
    for name in order:
        table = new_tables[name]
        late = [
            fk
            for fk in (table.foreign_keys if name in cyclic else ())
            if (name, fk.ref_table) in deferred
        ]
        creates.append(CreateTable(name, table, tuple(fk.name for fk in late)))
        fk_adds += [AddForeignKey(name, fk) for fk in late]

    object_drops: list[Change] = []
    object_creates: list[Change] = []
    for found in changes.OBJECTS:
        gone, made = found(current, desired)
        object_drops += gone
        object_creates = made + object_creates
    return fk_drops + object_drops + drops + alters + creates + fk_adds + object_creates


def _rebuild_fks_of_changed_columns(
    current: Schema,
    desired: Schema,
    alters: list[Change],
    fk_drops: list[Change],
    fk_adds: list[Change],
) -> None:
    """The server refuses to change the type, length or collation of a column a foreign
    key uses (errors 1832/1833), or to make it NOT NULL under ON ... SET NULL: drop the
    key first and add it back afterwards (unless the diff already does)."""
    touched: set[tuple[str, str]] = set()
    not_null: set[tuple[str, str]] = set()
    for change in alters:
        if isinstance(change, ModifyColumn):
            delta = change.delta
            if delta.storage_changed:
                touched.add((change.table, delta.old.name))
            elif delta.becomes_not_null:
                not_null.add((change.table, delta.old.name))
    if not touched and not not_null:
        return
    dropped = {(c.table, c.foreign_key.name) for c in fk_drops if isinstance(c, DropForeignKey)}
    tables = {t for t, _ in touched | not_null}
    for name, table in current.tables.items():
        if name not in desired.tables:
            continue  # dropped: its foreign keys go first anyway
        if name not in tables and not any(f"REFERENCES `{t}`" in table.text for t in tables):
            continue
        for fk in table.foreign_keys:
            set_null = "SET NULL" in (fk.on_delete, fk.on_update)
            uses = (
                any((name, c) in touched for c in fk.columns)
                or (set_null and any((name, c) in not_null for c in fk.columns))
                or (
                    fk.ref_schema is None
                    and any((fk.ref_table, c) in touched for c in fk.ref_columns)
                )
            )
            if uses and (name, fk.name) not in dropped:
                fk_drops.append(DropForeignKey(name, fk))
                fk_adds.append(AddForeignKey(name, fk))
