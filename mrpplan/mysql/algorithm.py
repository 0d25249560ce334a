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

from mrpplan.diff.change import Change, TableClause
from mrpplan.diff.clauses import ORDER, AlterTableOptions, slowest
from mrpplan.model.table_options import TableOptions
from mrpplan.mysql.flavor import Flavor

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
    result = slowest(algorithms)
    if result == "inplace" and _table_has_virtual_columns(group):
        result = "copy"  # measured: e.g. NULL -> NOT NULL beside a generated column
    if result == "nocopy" and not flavor.supports_nocopy():
        result = "inplace"
    if result == "instant" and not flavor.is_mariadb and not flavor.at_least(8, 0, 29):
        result = "inplace"
    return result


def _has_spatial_index(group: Sequence[Change]) -> bool:
    """The table has a SPATIAL index while the ALTER runs (before it, or one it drops)."""
    from mrpplan.diff.clauses import DropIndex

    return any(
        (isinstance(c, TableClause) and c.options is not None and c.options.spatial_index)
        or (isinstance(c, DropIndex) and c.index.kind == "spatial")
        for c in group
    )


def _table_has_virtual_columns(group: Sequence[Change]) -> bool:
    return any(
        isinstance(c, TableClause) and c.options is not None and c.options.virtual_columns
        for c in group
    )


def _virtual_column_with_others(group: Sequence[Change]) -> bool:
    """MariaDB adds or drops a VIRTUAL column in place only when the ALTER does nothing
    else ("INPLACE ADD or DROP of virtual columns cannot be combined with other ALTER
    TABLE actions"): with other clauses it copies; so does adding, dropping or moving any
    column of a table that has generated columns; its in-place rebuilds copy too."""
    from mrpplan.diff.clauses import AddColumn, DropColumn

    def virtual(c: Change) -> bool:
        return isinstance(c, (AddColumn, DropColumn)) and c.column.generated == "VIRTUAL"

    if any(virtual(c) for c in group) and any(not virtual(c) for c in group):
        return True
    return _table_has_virtual_columns(group) and any(_reshapes(c) for c in group)


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
    if _has_spatial_index(group) and (
        algorithm == "inplace" or (algorithm == "nocopy" and any(_reshapes(c) for c in group))
    ):  # "Do not support online operation on table with GIS index" (measured: a column
        locks.append("shared")  # added or dropped beside a key change, or an indexed one)
    return max(locks, key=LOCKS.index) if locks else "none"
