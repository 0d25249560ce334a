"""Which ALGORITHM the server will use for an ALTER TABLE (instant < nocopy < inplace < copy).

Each clause predicts its own algorithm (mrpplan.diff.clauses; column changes through
mrpplan.diff.column_delta; partitions in mrpplan.diff.partition_changes). Rules measured
on MariaDB 10.11 (tests/schema/test_algorithm_measured.py and test_mariadb_features.py run
the ALTERs with the predicted ALGORITHM=... and check the next faster one is refused):
INSTANT for adding a column anywhere (also VIRTUAL, spatial, INET/UUID and COMPRESSED
ones), dropping an unindexed column, defaults, comments, renames, reorders, widening
VARCHAR while the length-byte count stays (or the old length is under 128 bytes),
appending ENUM members, renaming an index, IGNORED/NOT IGNORED, WITHOUT SYSTEM VERSIONING,
the table comment, CHECKSUM, PACK_KEYS, PAGE_COMPRESSION_LEVEL; NOCOPY for adding/dropping
secondary keys (SPATIAL ones on existing columns too) and dropping an indexed column;
INPLACE for NULL <-> NOT NULL, FULLTEXT keys, ROW_FORMAT, PAGE_COMPRESSED and DROP SYSTEM
VERSIONING; COPY for type, charset and COMPRESSED changes, CHECK and FOREIGN KEY
additions, ADD SYSTEM VERSIONING and re-partitioning. Here the whole ALTER is decided:
the slowest clause, non-InnoDB engines copy, ROW_FORMAT=COMPRESSED turns instant column
work into INPLACE, and the flavor decides what exists. When unsure: the slower one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mrpplan.diff.change import Change, TableClause
from mrpplan.diff.clauses import ORDER, AlterTableOptions, slowest
from mrpplan.model.table_options import TableOptions
from mrpplan.mysql.flavor import Flavor

if TYPE_CHECKING:
    from mrpplan.diff.clauses import ModifyColumn

__all__ = ["LOCKS", "ORDER", "predict_algorithm", "predict_lock", "slowest"]

LOCKS = ("none", "shared", "exclusive")


def predict_algorithm(group: Sequence[Change], flavor: Flavor) -> str:
    """The predicted algorithm for one ALTER TABLE made of `group`."""
    if not group:
        return "instant"
    options = _options_of(group)
    engine = (options.engine if options else None) or "InnoDB"
    if engine.lower() != "innodb":
        return "copy"
    compressed = options is not None and (options.row_format or "").upper() == "COMPRESSED"
    algorithms = [c.algorithm(flavor, group) for c in group]
    if compressed:
        algorithms = ["inplace" if a == "instant" else a for a in algorithms]
    if _instant_row_change_with_new_key(group, algorithms):
        algorithms.append("inplace")
    if _virtual_column_with_others(group):
        algorithms.append("copy")
    where = _where(group)
    if where is not None:
        algorithms.append(_generated_columns(group, where, slowest(algorithms)))
        if where.long_unique and not _only_keys_dropping_long_unique(group, where):
            algorithms.append("copy")  # measured: even a COMMENT copies such a table
    result = slowest(algorithms)
    if where is not None and _fulltext_built(group, where, result) > 1:
        result = "copy"  # measured: in place, the server builds one FULLTEXT key at most
    if result == "nocopy" and not flavor.supports_nocopy():
        result = "inplace"
    if result == "instant" and not flavor.is_mariadb and not flavor.at_least(8, 0, 29):
        result = "inplace"
    return result


def _where(group: Sequence[Change]) -> TableOptions | None:
    """The facts about the table the ALTER runs on (carried by its clauses)."""
    return next(
        (c.options for c in group if isinstance(c, TableClause) and c.options is not None),
        None,
    )


def _generated_columns(group: Sequence[Change], where: TableOptions, rebuilt: str) -> str:
    """What a table's generated and FULLTEXT columns make of the ALTER (measured on
    10.11): a generated column moved, a column added in front of a VIRTUAL column or
    moved across one copies (so
    does one dropped in front of an indexed one; on a partitioned or system-versioned
    table, any column dropped beside a VIRTUAL one unless the ALTER rebuilds anyway; on
    a partitioned one, a VIRTUAL one added, and any move beside generated
    columns); beside an indexed VIRTUAL column or a FULLTEXT key, any stored column
    added, dropped or moved rebuilds in place; NULL -> NOT NULL copies beside a STORED
    or an indexed VIRTUAL column that stays."""
    from mrpplan.diff.clauses import AddColumn, DropColumn, DropIndex, ModifyColumn

    order = where.columns
    virtual = set(where.virtual_columns)
    dropped = {c.column.name for c in group if isinstance(c, DropColumn)}
    dropped_keys = {c.index.name for c in group if isinstance(c, DropIndex)}
    fulltext_stays = bool(set(where.fulltext) - dropped_keys)
    fulltext_dropped = bool(set(where.fulltext) & dropped_keys)

    def behind(after: str | None) -> set[str]:
        start = 0 if after is None else (order.index(after) + 1 if after in order else len(order))
        return set(order[start:])

    result = "instant"
    for c in group:
        if isinstance(c, AddColumn) and virtual & behind(c.after) and not dropped:
            return "copy"  # (with a column dropped beside it, measured NOCOPY at most)
        if isinstance(c, AddColumn) and where.partitioned and c.column.generated == "VIRTUAL":
            return "copy"
        if (
            isinstance(c, ModifyColumn)
            and c.old.name in where.indexed_virtual
            and not (c.delta.same_definition)
        ):
            return "copy"  # an indexed VIRTUAL column's new expression: measured
        if (
            isinstance(c, ModifyColumn)
            and c.moved
            and (c.old.generated or _crosses(c, order, virtual))
        ):
            return "copy"
        if (
            isinstance(c, ModifyColumn)
            and c.moved
            and where.partitioned
            and (virtual or where.stored_generated)
        ):
            return "copy"
        if isinstance(c, DropColumn) and c.column.name in order:
            later = behind(c.column.name)
            if set(where.indexed_virtual) & later:
                return "copy"
            if where.partitioned and virtual and rebuilt != "inplace":
                return "copy"
        stored_reshape = _reshapes(c) and not (
            isinstance(c, (AddColumn, DropColumn)) and c.column.generated == "VIRTUAL"
        )
        if stored_reshape and (where.indexed_virtual or fulltext_stays or fulltext_dropped):
            result = "inplace"
        if (
            isinstance(c, ModifyColumn)
            and c.delta.becomes_not_null
            and (set(where.stored_generated) | set(where.indexed_virtual)) - dropped
        ):
            return "copy"
    return result


def _crosses(change: ModifyColumn, order: tuple[str, ...], virtual: set[str]) -> bool:
    """A column moved past a VIRTUAL column (or a VIRTUAL column moved at all)."""
    name, old_name = change.new.name, change.old.name
    if old_name not in order:
        return bool(virtual)
    if old_name in virtual:
        return True
    rest = [c for c in order if c != old_name]
    after = change.after
    at = 0 if after is None else (rest.index(after) + 1 if after in rest else len(rest))
    new_order = [*rest[:at], name, *rest[at:]]
    was = {v for v in virtual if order.index(v) < order.index(old_name)}
    now = {v for v in virtual if v in new_order and new_order.index(v) < new_order.index(name)}
    return was != now


def _fulltext_kept(group: Sequence[Change], where: TableOptions) -> int:
    from mrpplan.diff.clauses import DropIndex

    dropped = {c.index.name for c in group if isinstance(c, DropIndex)}
    return len(set(where.fulltext) - dropped)


def _fulltext_built(group: Sequence[Change], where: TableOptions, algorithm: str) -> int:
    """FULLTEXT keys the ALTER builds: the ones it adds, and on a rebuild (INPLACE) the
    ones the table keeps."""
    from mrpplan.diff.clauses import AddIndex

    added = sum(isinstance(c, AddIndex) and c.index.kind == "fulltext" for c in group)
    return added + (_fulltext_kept(group, where) if algorithm == "inplace" else 0)


def _rebuild_locks(group: Sequence[Change], where: TableOptions) -> bool:
    from mrpplan.diff.clauses import DropIndex

    dropped = {c.index.name for c in group if isinstance(c, DropIndex)}
    return bool(set(where.virtual_keys) - dropped) or _fulltext_kept(group, where) > 0


def _only_keys_dropping_long_unique(group: Sequence[Change], where: TableOptions) -> bool:
    """Dropping every long-unique key, with nothing but key changes beside it, is
    NOCOPY; anything else on a table with such a key copies (measured)."""
    from mrpplan.diff.clauses import AddIndex, DropIndex

    dropped = {c.index.name for c in group if isinstance(c, DropIndex)}
    return set(where.long_unique) <= dropped and all(
        isinstance(c, (AddIndex, DropIndex)) for c in group
    )


def _has_spatial_index(group: Sequence[Change]) -> bool:
    """The table has a SPATIAL index while the ALTER runs (before it, or one it drops)."""
    from mrpplan.diff.clauses import DropIndex

    return any(
        (isinstance(c, TableClause) and c.options is not None and c.options.spatial_index)
        or (isinstance(c, DropIndex) and c.index.kind == "spatial")
        for c in group
    )


def _spatial_stays(group: Sequence[Change]) -> bool:
    from mrpplan.diff.clauses import DropIndex

    return not any(isinstance(c, DropIndex) and c.index.kind == "spatial" for c in group)


def _virtual_column_with_others(group: Sequence[Change]) -> bool:
    """MariaDB adds or drops a VIRTUAL column in place only when the ALTER does nothing
    else ("INPLACE ADD or DROP of virtual columns cannot be combined with other ALTER
    TABLE actions"): with other clauses it copies."""
    from mrpplan.diff.clauses import AddColumn, DropColumn

    def virtual(c: Change) -> bool:
        return isinstance(c, (AddColumn, DropColumn)) and c.column.generated == "VIRTUAL"

    return any(virtual(c) for c in group) and any(not virtual(c) for c in group)


def _reshapes(change: Change) -> bool:
    """The clause adds, drops or moves a column (changes the row's shape)."""
    from mrpplan.diff.clauses import AddColumn, DropColumn, ModifyColumn

    return isinstance(change, (AddColumn, DropColumn)) or (
        isinstance(change, ModifyColumn) and change.moved
    )


def _instant_row_change_with_new_key(group: Sequence[Change], algorithms: list[str]) -> bool:
    """Adding, dropping or moving a column is instant (NOCOPY for an indexed column) alone,
    but with a new secondary key in the same ALTER MariaDB rebuilds the table in place
    (NOCOPY is refused, measured; the indexed column was found by the feature property)."""
    from mrpplan.diff.clauses import AddIndex

    quick = ("instant", "nocopy")
    reshapes = any(_reshapes(c) for c, a in zip(group, algorithms, strict=False) if a in quick)
    return reshapes and any(isinstance(c, AddIndex) for c in group)


def _options_of(group: Sequence[Change]) -> TableOptions | None:
    """The table's options where the ALTER runs (carried by its clauses)."""
    for c in group:
        if isinstance(c, AlterTableOptions):
            return c.old
        if isinstance(c, TableClause) and c.options is not None:
            return c.options
    return None


def predict_lock(group: Sequence[Change], algorithm: str) -> str:
    """The weakest LOCK the ALTER runs with at `algorithm`: a COPY lets readers in
    (SHARED); otherwise the strictest clause decides (measured with the algorithms)."""
    locks = [c.lock() for c in group]
    if algorithm == "copy":
        locks.append("shared")
    where = _where(group)
    if where is not None and algorithm == "inplace" and _rebuild_locks(group, where):
        locks.append("shared")  # measured: an in-place rebuild beside an indexed VIRTUAL
        # column or a FULLTEXT key that stays
    if (
        _has_spatial_index(group)
        and _spatial_stays(group)
        and (algorithm == "inplace" or (algorithm == "nocopy" and any(_reshapes(c) for c in group)))
    ):  # "Do not support online operation on table with GIS index" (measured: a column
        locks.append("shared")  # added or dropped beside a key change, or an indexed one)
    return max(locks, key=LOCKS.index) if locks else "none"
