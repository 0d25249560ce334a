"""Changes that turn one (supported) table into another: columns, keys, checks, options."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from difflib import SequenceMatcher

from mrpplan.diff import clauses
from mrpplan.diff.change import Change, TableClause
from mrpplan.diff.changes import AddForeignKey, DropForeignKey
from mrpplan.diff.clauses import (
    AddColumn,
    AddIndex,
    DropColumn,
    DropIndex,
    ModifyColumn,
    RenameColumn,
    RenameIndex,
    SetIndexIgnored,
)
from mrpplan.diff.column_delta import ColumnDelta
from mrpplan.diff.partition_changes import AlterPartitioning
from mrpplan.model.column import Column
from mrpplan.model.layout import clustered_candidates
from mrpplan.model.table import Table
from mrpplan.model.table_options import TableOptions


def diff_table(
    old: Table, new: Table, renames: Mapping[str, str]
) -> tuple[list[Change], list[Change], list[Change]]:
    """(foreign-key drops, in-table changes, foreign-key adds) for old -> new."""
    name = new.name
    fk_drops: list[Change] = []
    fk_adds: list[Change] = []
    old_fks = {fk.name: fk for fk in old.foreign_keys}
    new_fks = {fk.name: fk for fk in new.foreign_keys}
    for fk_name, fk in old_fks.items():
        if new_fks.get(fk_name) != fk:
            fk_drops.append(DropForeignKey(name, fk))
    for fk_name, fk in new_fks.items():
        if old_fks.get(fk_name) != fk:
            fk_adds.append(AddForeignKey(name, fk))

    changes: list[Change] = [c for found in clauses.BEFORE_COLUMNS for c in found(old, new)]
    recreated = {
        c.name for c in new.columns if (o := old.column(c.name)) is not None and must_recreate(o, c)
    }
    changes += _index_changes(old, new, recreated)
    changes += column_changes(old, new, renames)
    changes += [c for found in clauses.AFTER_COLUMNS for c in found(old, new)]
    changes += _keep_hash_keys(name, old, new, changes)
    where, after = table_facts(old), table_facts(new)
    changes = [
        replace(c, options=where, after_options=after) if isinstance(c, TableClause) else c
        for c in changes
    ]
    old_part, new_part = old.parsed.partitioning, new.parsed.partitioning
    if old_part != new_part:
        # Partitioning is removed before the other changes (which may add what partitioned
        # tables cannot hold, e.g. GEOMETRY) and set up after them (which may remove it).
        versioned = old.options.versioned or new.options.versioned
        change = AlterPartitioning(name, old_part, new_part, versioned)
        changes = [change, *changes] if new_part is None else [*changes, change]
    return fk_drops, changes, fk_adds


def must_recreate(old: Column, new: Column) -> bool:
    """MODIFY cannot turn a column into or out of a VIRTUAL one (server error 1907):
    such a column is dropped and added again (a virtual column holds no data)."""
    return ColumnDelta(old, new).virtual_toggled


def _index_changes(old: Table, new: Table, recreated: set[str]) -> list[Change]:
    name = new.name
    old_ix = {i.name: i for i in old.indexes}
    new_ix = {i.name: i for i in new.indexes}

    def changed(index_name: str) -> bool:
        a, b = old_ix.get(index_name), new_ix.get(index_name)
        return a != b or (a is not None and bool(recreated & set(a.columns)))

    reordered = _reorder_both_ways(old, new, changed)
    out: list[Change] = []
    for n, index in new_ix.items():
        before = old_ix.get(n)
        if (
            before is not None
            and before != index
            and n not in reordered
            and replace(before, ignored=index.ignored, definition=index.definition) == index
        ):
            out.append(SetIndexIgnored(name, index, index.ignored))
    toggled = {c.index.name for c in out if isinstance(c, SetIndexIgnored)}
    drops = [i for n, i in old_ix.items() if (changed(n) or n in reordered) and n not in toggled]
    adds = [i for n, i in new_ix.items() if (changed(n) or n in reordered) and n not in toggled]
    for index in list(drops):
        twin = next(
            (
                a
                for a in adds
                if a.name not in old_ix
                and index.name not in new_ix
                and not index.is_primary
                and (a.kind, a.parts, a.comment, a.using, a.ignored)
                == (index.kind, index.parts, index.comment, index.using, index.ignored)
            ),
            None,
        )
        if twin is not None:
            out.append(RenameIndex(name, index, twin))
            drops.remove(index)
            adds.remove(twin)
    old_candidates = set(clustered_candidates(old.text))
    if any(i.name in old_candidates for i in drops):
        drops.reverse()  # so the reverse ALTER adds them back in the old order
    same = {i.name for i in drops if new_ix.get(i.name) == i}
    old_first = next(iter(clustered_candidates(old.text)), None)
    new_first = next(iter(clustered_candidates(new.text)), None)
    return (
        [DropIndex(name, i, readded=i.name in same, clustered=i.name == old_first) for i in drops]
        + out
        + [AddIndex(name, i, clustered=i.name == new_first) for i in adds]
    )


def _keep_hash_keys(name: str, old: Table, new: Table, changes: list[Change]) -> list[Change]:
    """An ALTER of a table with a UNIQUE key `USING HASH` copies it, and the copy turns
    an explicit USING HASH on short columns into a BTREE key (measured, errno-free): such
    keys are dropped and added back in the same ALTER, which keeps them as they are."""
    if not any(isinstance(c, TableClause) for c in changes):
        return []
    touched = {c.index.name for c in changes if isinstance(c, (AddIndex, DropIndex))}
    kept = [
        i for i in old.indexes if i.is_long_unique and i.name not in touched and i in new.indexes
    ]
    return [DropIndex(name, i, readded=True) for i in kept] + [AddIndex(name, i) for i in kept]


def _reorder_both_ways(old: Table, new: Table, changed: Callable[[str], bool]) -> set[str]:
    """Keys re-created so that the ALTER and also its reverse (the inverted clauses)
    leave the clustered-index candidates in order: grown until both ways agree."""
    reordered: set[str] = set()
    while True:
        grown = reordered | _clustered_reorder(old, new, changed, reordered)
        grown |= _clustered_reorder(new, old, changed, grown)
        if grown == reordered:
            return reordered
        reordered = grown


def _clustered_reorder(
    old: Table, new: Table, changed: Callable[[str], bool], redone: set[str]
) -> set[str]:
    """Keys to drop and add again so the clustered-index candidates of a table without a
    primary key come out in the desired order (InnoDB clusters by the first one).

    Keys the ALTER leaves alone keep their relative order; keys it adds follow them in
    clause order. So every kept candidate after the first out-of-place one is re-created.
    """
    wanted = clustered_candidates(new.text)
    if not wanted or (not redone and clustered_candidates(old.text) == wanted):
        return set()
    kept = [
        i.name
        for i in old.indexes
        if i.name in wanted and not changed(i.name) and i.name not in redone
    ]
    same = 0
    while same < min(len(kept), len(wanted)) and kept[same] == wanted[same]:
        same += 1
    return set(wanted[same:]) & set(kept)


def column_changes(old: Table, new: Table, renames: Mapping[str, str]) -> list[Change]:
    """Drops, then adds/modifies/moves in the desired order.

    Columns kept in place are a common subsequence of both orders; every other kept
    column is moved right after its desired predecessor, and each move records where
    the column was so the inverse puts it back (see mrpplan.diff.ddl for the order
    in which one ALTER applies them).
    """
    name = new.name
    new_names = new.column_names()
    old_names = old.column_names()
    back = {
        new_n: old_n
        for old_n, new_n in renames.items()
        if old_n in old_names and new_n in new_names
    }
    for new_n in new_names:  # same name on both sides, not renamed
        if new_n in old_names and new_n not in back and new_n not in renames:
            back[new_n] = new_n
    back = {n: o for n, o in back.items() if not must_recreate(_col(old, o), _col(new, n))}
    kept_old = {old_n for old_n in back.values()}
    old_pred = _predecessors(old_names)
    new_pred = _predecessors(new_names)

    common_old = [n for n in old_names if n in kept_old]
    common_new = [back[n] for n in new_names if n in back]  # in old names, desired order
    matcher = SequenceMatcher(a=common_old, b=common_new, autojunk=False)
    stay = {common_old[b.a + k] for b in matcher.get_matching_blocks() for k in range(b.size)}

    out: list[Change] = []
    for old_n in old_names:
        if old_n not in kept_old:
            out.append(DropColumn(name, _col(old, old_n), old_pred[old_n]))
    for new_n in new_names:
        col = _col(new, new_n)
        if new_n not in back:
            out.append(AddColumn(name, col, new_pred[new_n]))
            continue
        old_n = back[new_n]
        old_col = _col(old, old_n)
        moved = old_n not in stay
        if old_n != new_n:
            out.append(RenameColumn(name, old_col, col, moved, new_pred[new_n], old_pred[old_n]))
        elif moved or old_col.ddl != col.ddl:
            out.append(ModifyColumn(name, old_col, col, moved, new_pred[new_n], old_pred[old_n]))
    return out


def _predecessors(names: tuple[str, ...]) -> dict[str, str | None]:
    return {n: (names[i - 1] if i else None) for i, n in enumerate(names)}


def _col(table: Table, name: str) -> Column:
    col = table.column(name)
    assert col is not None
    return col


def table_facts(table: Table) -> TableOptions:
    """The facts about a table that decide an ALTER's algorithm (options plus layout)."""
    spatial = any(i.kind == "spatial" for i in table.indexes)
    partitioned = table.parsed.partitioning is not None
    virtual = tuple(c.name for c in table.columns if c.generated == "VIRTUAL")
    return replace(
        table.options,
        spatial_index=spatial,
        partitioned=partitioned,
        columns=tuple(c.name for c in table.columns),
        virtual_columns=virtual,
        indexed_virtual=tuple(c for c in virtual if any(c in i.columns for i in table.indexes)),
        virtual_keys=tuple(i.name for i in table.indexes if set(i.columns) & set(virtual)),
        stored_generated=tuple(
            c.name for c in table.columns if c.generated in ("STORED", "PERSISTENT")
        ),
        long_unique=tuple(i.name for i in table.indexes if i.is_long_unique),
        fulltext=tuple(i.name for i in table.indexes if i.kind == "fulltext"),
    )
