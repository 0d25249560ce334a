"""Which ALGORITHM the server will use for an ALTER TABLE (instant < nocopy < inplace < copy).

Rules measured on MariaDB 10.11 (tests/schema/test_algorithm_measured.py runs the
ALTERs with the predicted ALGORITHM=... and checks the next faster one is refused):
INSTANT for adding a column anywhere (also VIRTUAL ones), dropping an unindexed column,
defaults, comments, renames, reorders, widening VARCHAR while the length-byte count
stays (or the old length is under 128 bytes), appending ENUM members, renaming an index,
the table comment, CHECKSUM, PACK_KEYS, PAGE_COMPRESSION_LEVEL, IGNORED/NOT IGNORED
indexes, WITHOUT SYSTEM VERSIONING on a column; NOCOPY for adding/dropping secondary
keys (SPATIAL ones too) and dropping an indexed column; INPLACE for NULL <-> NOT NULL,
FULLTEXT keys, ROW_FORMAT, PAGE_COMPRESSED and DROP SYSTEM VERSIONING; COPY for type,
charset and COMPRESSED changes, CHECK and FOREIGN KEY additions, ADD SYSTEM VERSIONING
and re-partitioning. ROW_FORMAT=COMPRESSED turns instant column work into INPLACE.
Partition management (mrpplan.diff.partition_changes) takes no ALGORITHM clause.
When unsure: the slower one.
"""

from __future__ import annotations

from collections.abc import Sequence

from mrpplan.diff.changes import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    AddIndex,
    AlterTableOptions,
    Change,
    DropCheck,
    DropColumn,
    DropForeignKey,
    DropIndex,
    ModifyColumn,
    RenameColumn,
    RenameIndex,
    SetIndexIgnored,
    SetSystemVersioning,
    TableClause,
)
from mrpplan.model.column import Column
from mrpplan.model.table_options import TableOptions
from mrpplan.mysql.flavor import Flavor

_METADATA_OPTIONS = frozenset(
    {
        "COMMENT",
        "STATS_PERSISTENT",
        "STATS_AUTO_RECALC",
        "STATS_SAMPLE_PAGES",
        "CHECKSUM",
        "PACK_KEYS",
        "`PAGE_COMPRESSION_LEVEL`",
    }
)
_REBUILD_OPTIONS = frozenset({"ROW_FORMAT", "KEY_BLOCK_SIZE", "`PAGE_COMPRESSED`"})
ORDER = ("instant", "nocopy", "inplace", "copy")
_MAXLEN = {"latin1": 1, "ascii": 1, "binary": 1, "utf8mb3": 3, "utf8": 3, "utf8mb4": 4, "ucs2": 2}


def slowest(algorithms: Sequence[str]) -> str:
    return max(algorithms, key=ORDER.index) if algorithms else "instant"


def predict_algorithm(group: Sequence[Change], flavor: Flavor) -> str:
    """The predicted algorithm for one ALTER TABLE made of `group`."""
    if not group:
        return "instant"
    options = _options_of(group)
    engine = (options.engine if options else None) or "InnoDB"
    if engine.lower() != "innodb":
        return "copy"
    compressed = options is not None and (options.row_format or "").upper() == "COMPRESSED"
    algorithms = [_one(c, flavor, group) for c in group]
    if compressed:
        algorithms = ["inplace" if a == "instant" else a for a in algorithms]
    result = slowest(algorithms)
    if result == "nocopy" and not flavor.supports_nocopy():
        result = "inplace"
    if result == "instant" and not flavor.is_mariadb and not flavor.at_least(8, 0, 29):
        result = "inplace"
    return result


def _options_of(group: Sequence[Change]) -> TableOptions | None:
    """The table's options where the ALTER runs (carried by its clauses)."""
    for c in group:
        if isinstance(c, AlterTableOptions):
            return c.old
        if isinstance(c, TableClause) and c.options is not None:
            return c.options
    return None


def _one(c: Change, flavor: Flavor, group: Sequence[Change]) -> str:
    if isinstance(c, AddColumn):
        col = c.column
        if col.auto_increment or col.generated == "STORED" or col.generated == "PERSISTENT":
            return "copy"
        if not flavor.supports_instant_add_column_anywhere():
            return "inplace"
        return "instant"
    if isinstance(c, DropColumn):
        indexed = any(isinstance(o, DropIndex) and c.column.name in o.index.columns for o in group)
        if c.column.generated in ("STORED", "PERSISTENT") or c.column.auto_increment:
            return "copy"
        if indexed:
            return "nocopy"
        return "instant" if flavor.supports_instant_drop_column() else "inplace"
    if isinstance(c, ModifyColumn):
        algo = _modify(c.old, c.new, flavor)
        if isinstance(c, RenameColumn) and not flavor.supports_rename_column():
            algo = slowest([algo, "inplace"])
        return algo
    if isinstance(c, (RenameIndex, SetIndexIgnored)):
        return "instant"
    if isinstance(c, SetSystemVersioning):
        return "copy" if c.versioned else "inplace"
    if isinstance(c, (AddIndex, DropIndex)):
        index = c.index
        if index.is_primary:
            return "inplace" if _pk_replaced(group) else "copy"
        if index.kind == "fulltext":
            return "inplace" if isinstance(c, AddIndex) else "nocopy"
        if index.kind == "spatial" and isinstance(c, AddIndex):
            added = {o.column.name for o in group if isinstance(o, AddColumn)}
            return "inplace" if added & set(index.columns) else "nocopy"  # measured
        return "nocopy"
    if isinstance(c, AddCheck):
        return "copy"
    if isinstance(c, DropCheck):
        return "instant"
    if isinstance(c, AddForeignKey):
        return "copy"
    if isinstance(c, DropForeignKey):
        return "instant"
    if isinstance(c, AlterTableOptions):
        keys = {k for k, _, _ in c.changed()}
        if keys <= _METADATA_OPTIONS:
            return "instant"
        if keys <= _METADATA_OPTIONS | _REBUILD_OPTIONS:
            return "inplace"  # a rebuild in place
        return "copy"
    return "copy"


def _pk_replaced(group: Sequence[Change]) -> bool:
    adds = any(isinstance(c, AddIndex) and c.index.is_primary for c in group)
    drops = any(isinstance(c, DropIndex) and c.index.is_primary for c in group)
    return adds and drops


def _modify(old: Column, new: Column, flavor: Flavor) -> str:
    if old.ddl == new.ddl:
        return "instant"  # a pure move or rename
    if old.generated or new.generated:
        return "copy"
    if old.auto_increment != new.auto_increment or old.compressed != new.compressed:
        return "copy"
    algo = "instant"
    if old.type != new.type or old.charset != new.charset or old.collation != new.collation:
        if old.charset == new.charset and old.collation == new.collation:
            algo = _type_widening(old, new)
        else:
            return "copy"
    if old.nullable and not new.nullable:
        algo = slowest([algo, "inplace"])
    elif not old.nullable and new.nullable:
        algo = slowest([algo, "inplace"])  # measured: NOT NULL -> NULL rebuilds in place
    return algo


def _type_widening(old: Column, new: Column) -> str:
    if old.base_type == new.base_type == "varchar" and old.length and new.length:
        if new.length < old.length:
            return "copy"
        width = _MAXLEN.get(old.charset or "utf8mb4", 4)
        old_bytes, new_bytes = old.length * width, new.length * width
        # InnoDB stores lengths under 128 bytes in one byte either way; above that the
        # length-byte count must stay the same (1 byte up to 255, then 2).
        same_class = old_bytes < 128 or (old_bytes > 255) == (new_bytes > 255)
        return "instant" if same_class else "copy"
    if old.base_type == new.base_type and old.base_type in ("enum", "set"):
        if new.values[: len(old.values)] == old.values and len(new.values) >= len(old.values):
            return "instant"
        return "copy"
    if (
        old.base_type == new.base_type
        and (old.unsigned == new.unsigned)
        and old.base_type
        in (
            "tinyint",
            "smallint",
            "mediumint",
            "int",
            "bigint",
        )
    ):
        return "instant"  # only the display width differs
    return "copy"
