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
Issue 29: a combination of clauses measured on the server (diff/algorithm_table.json,
bench/measure_algorithm_table.py) is taken from that table instead of the clauses' rules;
the table-wide facts below are added to either. Measured too
(tests/schema/test_algorithm_property.py asks the server for each generated
combination): a table with a long-unique (`USING HASH`) key copies for nearly
every ALTER, and adding one copies; MODIFY of a column carrying a CHECK (JSON) copies;
generated columns and FULLTEXT keys change the answer as `_generated_columns` says; an
in-place rebuild builds one FULLTEXT key at most.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mrpplan.diff.algorithm_table import measured
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
    whole = measured(group, flavor)
    if whole is not None:  # the server's answer for these clauses (algorithm_table.json)
        algorithms = [whole[0]]
    else:  # not measured: each clause's rule, and what combining them is known to do
        algorithms = [c.algorithm(flavor, group) for c in group]
        if _instant_row_change_with_new_key(group, algorithms):
            algorithms.append("inplace")
        if _virtual_column_with_others(group):
            algorithms.append("copy")
        if _rename_with_comment(group):
            algorithms.append("nocopy")
    if compressed:
        algorithms = ["inplace" if a == "instant" else a for a in algorithms]
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


def _rename_with_comment(group: Sequence[Change]) -> bool:
    """A column renamed or a VARCHAR made longer in the ALTER that changes a table option
    (COMMENT, CHECKSUM, PACK_KEYS): each is INSTANT alone, together the server refuses
    INSTANT ("Reason: DROP INDEX") and takes NOCOPY (measured on 10.11; found by the
    schema property and bench/measure_algorithm_table.py). An ENUM member appended or a
    display width changed stays INSTANT (measured)."""
    from mrpplan.diff.clauses import ModifyColumn

    def renames_or_widens(c: Change) -> bool:
        if not isinstance(c, ModifyColumn):
            return False
        old, new = c.old, c.new
        widened = old.base_type == new.base_type == "varchar" and old.length != new.length
        return old.name != new.name or widened

    option = any(isinstance(c, AlterTableOptions) and c.changed() for c in group)
    return option and any(renames_or_widens(c) for c in group)


def _where(group: Sequence[Change]) -> TableOptions | None:
    """The facts about the table the ALTER runs on (carried by its clauses)."""
    return next(
        (c.options for c in group if isinstance(c, TableClause) and c.options is not None),
        None,
    )


def _generated_columns(group: Sequence[Change], where: TableOptions, rebuilt: str) -> str:
    """What the table's generated columns and FULLTEXT keys make of the ALTER (measured on
    10.11, tests/schema/test_algorithm_property.py). COPY: a generated column moved or
    another column moved across a VIRTUAL one; a column added in front of a VIRTUAL one
    (unless the ALTER also drops one); an indexed VIRTUAL column redefined or a column
    dropped in front of it; NULL -> NOT NULL beside a STORED or indexed VIRTUAL column that
    stays; a column dropped in front of a VIRTUAL one on a table keeping a FULLTEXT key;
    on a partitioned table a VIRTUAL column added and a column dropped in front of one
    (unless the ALTER rebuilds anyway). INPLACE: a stored
    column added, dropped or moved beside an indexed VIRTUAL column or a FULLTEXT key."""
    from mrpplan.diff.clauses import AddColumn, DropColumn, ModifyColumn

    order, virtual = where.columns, set(where.virtual_columns)
    dropped = {c.column.name for c in group if isinstance(c, DropColumn)}
    kept_generated = (set(where.stored_generated) | set(where.indexed_virtual)) - dropped
    fulltext = bool(where.fulltext)

    def behind(name: str | None) -> set[str]:
        start = 0 if name is None else (order.index(name) + 1 if name in order else len(order))
        return set(order[start:])

    def copies(c: Change) -> bool:
        if isinstance(c, AddColumn):
            in_front = bool(virtual & behind(c.after)) and not dropped
            return in_front or (where.partitioned and c.column.generated == "VIRTUAL")
        if isinstance(c, DropColumn):
            in_front = bool(set(where.indexed_virtual) & behind(c.column.name))
            # a reverse ALTER carries the facts of the table it undoes, which lacks the
            # column: then every VIRTUAL column may stand behind it
            ahead = behind(c.column.name) if c.column.name in order else set(order)
            shifts = bool(virtual & ahead) and (
                any(not _drops_only_plain(other) for other in group)
                or _fulltext_kept(group, where) > 0  # measured: the rebuild of a FULLTEXT
            )  # table shifts the VIRTUAL column by copying, even alone
            # measured on a partitioned table: in front of a VIRTUAL column copies, behind
            # one it is instant (in place beside an indexed one)
            partitioned = where.partitioned and bool(virtual & ahead) and rebuilt != "inplace"
            # measured: a partitioned table drops a VIRTUAL column by copying (as it adds one)
            own = where.partitioned and c.column.generated == "VIRTUAL"
            return in_front or shifts or partitioned or own
        if isinstance(c, ModifyColumn):
            redefined = c.old.name in where.indexed_virtual and not c.delta.same_definition
            # measured: a move beside a STORED column is instant, also when partitioned
            moved = c.moved and (bool(c.old.generated) or _crosses(c, order, virtual))
            return redefined or moved or (c.delta.becomes_not_null and bool(kept_generated))
        return False

    def rebuilds(c: Change) -> bool:
        virtual_column = isinstance(c, (AddColumn, DropColumn)) and c.column.generated == "VIRTUAL"
        return _reshapes(c) and not virtual_column and (bool(where.indexed_virtual) or fulltext)

    if any(copies(c) for c in group) or _virtual_shifted(group, where):
        return "copy"
    return "inplace" if any(rebuilds(c) for c in group) else "instant"


def _virtual_shifted(group: Sequence[Change], where: TableOptions) -> bool:
    """A VIRTUAL column whose position the ALTER changes copies the table, unless the ALTER
    only drops columns and plain keys (measured on 10.11: DROP x in front of VIRTUAL g is
    INSTANT; DROP x with ADD c in x's place is INSTANT; DROP a behind g with ADD c in front
    of it, or DROP x in front with ADD c behind it, copy)."""
    after = next(
        (c.after_options for c in group if isinstance(c, TableClause) and c.after_options),
        None,
    )
    if after is None or all(_drops_only_plain(c) for c in group):
        return False
    before_order, after_order = where.columns, after.columns
    return any(
        v in after_order and after_order.index(v) != before_order.index(v)
        for v in where.virtual_columns
        if v in before_order
    )


def _drops_only_plain(change: Change) -> bool:
    """A drop of a column, or of a key that is not unique: beside a column dropped in front
    of a VIRTUAL one, anything else (a UNIQUE key dropped, a key added, a table option)
    makes MariaDB copy ("INPLACE ADD or DROP of virtual columns cannot be combined with
    other ALTER TABLE actions"; measured on 10.11: DROP COLUMN c in front of VIRTUAL g is
    INSTANT alone, NOCOPY beside DROP KEY of a plain key, COPY beside DROP of a UNIQUE key,
    ADD KEY or COMMENT)."""
    from mrpplan.diff.clauses import DropColumn, DropIndex

    if isinstance(change, DropColumn):
        return True
    return (
        isinstance(change, DropIndex)
        and not change.index.is_unique
        and change.index.kind != "fulltext"  # measured: DROP KEY ft, DROP COLUMN s copies
    )


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
    from mrpplan.diff.clauses import AddIndex, DropIndex

    dropped = {c.index.name for c in group if isinstance(c, DropIndex)}
    virtual = set(where.virtual_columns)
    added = any(isinstance(c, AddIndex) and virtual & set(c.index.columns) for c in group)
    return added or bool(set(where.virtual_keys) - dropped) or _fulltext_kept(group, where) > 0


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
    from mrpplan.diff.clauses import AddColumn, AddIndex, DropColumn, DropIndex

    def virtual(c: Change) -> bool:
        return isinstance(c, (AddColumn, DropColumn)) and c.column.generated == "VIRTUAL"

    gone = {c.column.name for c in group if isinstance(c, DropColumn) and virtual(c)}

    def own_key(c: Change) -> bool:  # a dropped VIRTUAL column's key goes with it
        return isinstance(c, DropIndex) and set(c.index.columns) <= gone

    others = [c for c in group if not virtual(c) and not own_key(c)]
    if gone and not any(isinstance(c, AddColumn) and virtual(c) for c in group):
        # measured: a VIRTUAL column dropped beside column drops and key changes only is
        # not copied (DROP gv, ADD KEY (n) is NOCOPY; beside COMMENT, ADD or MODIFY COLUMN
        # it copies)
        others = [c for c in others if not isinstance(c, (DropColumn, AddIndex, DropIndex))]
    return any(virtual(c) for c in group) and bool(others)


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
    from mrpplan.diff.clauses import AddIndex, DropColumn

    def stored_reshape(c: Change) -> bool:  # measured: DROP of a VIRTUAL column beside a
        virtual = isinstance(c, DropColumn) and c.column.generated == "VIRTUAL"  # new key
        return _reshapes(c) and not virtual  # is NOCOPY (nothing stored moves)

    quick = ("instant", "nocopy")
    pairs = zip(group, algorithms, strict=False)
    reshapes = any(stored_reshape(c) for c, a in pairs if a in quick)
    return reshapes and any(isinstance(c, AddIndex) for c in group)


def _options_of(group: Sequence[Change]) -> TableOptions | None:
    """The table's options where the ALTER runs (carried by its clauses)."""
    for c in group:
        if isinstance(c, AlterTableOptions):
            return c.old
        if isinstance(c, TableClause) and c.options is not None:
            return c.options
    return None


def predict_lock(group: Sequence[Change], algorithm: str, flavor: Flavor | None = None) -> str:
    """The weakest LOCK the ALTER runs with at `algorithm`: the measured one for these
    clauses (algorithm_table.json) when the algorithm is the measured one; else a COPY
    lets readers in (SHARED) and the strictest clause decides."""
    whole = measured(group, flavor) if flavor is not None else None
    measured_lock = whole is not None and whole[0] == algorithm
    locks = [whole[1]] if whole is not None and measured_lock else [c.lock() for c in group]
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
