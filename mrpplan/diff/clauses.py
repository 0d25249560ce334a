"""ALTER TABLE clauses: each change type renders its own clause, knows its inverse and
predicts its own ALGORITHM (measured on MariaDB 10.11; when unsure, the slower one).
Adding a clause type touches this file only: the class, and its `found` in
`BEFORE_COLUMNS`/`AFTER_COLUMNS` (what mrpplan.diff.table_diff compares besides columns
and keys); mrpplan.diff.ddl groups clauses into one AlterTable statement and
mrpplan.diff.algorithm takes the slowest of its clauses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, ClassVar

from mrpplan.diff.change import Change, Redefinition, TableClause
from mrpplan.diff.column_delta import ColumnDelta
from mrpplan.diff.safety import column_change_risks
from mrpplan.model.check import Check
from mrpplan.model.column import Column
from mrpplan.model.index import Index
from mrpplan.model.table_options import SYSTEM_VERSIONING, TableOptions
from mrpplan.mysql.quote import ident

if TYPE_CHECKING:
    from mrpplan.model.table import Table
    from mrpplan.mysql.flavor import Flavor


def _pos(after: str | None) -> str:
    return "first" if after is None else f"after `{after}`"


# ---- columns ------------------------------------------------------------------------


@dataclass(frozen=True)
class AddColumn(TableClause):
    column: Column
    after: str | None  # None = FIRST

    kind: ClassVar[str] = "change"

    def inverse(self) -> Change:
        return DropColumn(self.table, self.column, self.after, options=self.options)

    def describe(self) -> str:
        return (
            f"add column `{self.table}`.`{self.column.name}` {self.column.type} {_pos(self.after)}"
        )

    phase: ClassVar[int] = 60  # placed after its predecessor (see mrpplan.diff.alter_table)

    def clauses(self, flavor: Flavor) -> list[str]:
        return [f"ADD COLUMN {ident(self.column.name)} {self.column.ddl}{_position(self.after)}"]

    def algorithm(self, flavor: Flavor, group: Sequence[Change]) -> str:
        col = self.column
        if col.auto_increment or col.generated in ("STORED", "PERSISTENT"):
            return "copy"
        if col.default is not None and "`" in col.default:
            return "copy"  # measured: a DEFAULT expression reading another column
        return "instant" if flavor.supports_instant_add_column_anywhere() else "inplace"


@dataclass(frozen=True)
class DropColumn(TableClause):
    column: Column
    after: str | None  # where it was, for the inverse

    kind: ClassVar[str] = "change"

    def inverse(self) -> Change:
        return AddColumn(self.table, self.column, self.after, options=self.options)

    def describe(self) -> str:
        return f"drop column `{self.table}`.`{self.column.name}`"

    def risks(self) -> list[str]:
        if self.column.generated:
            return []  # computed from other columns: nothing is lost
        return [f"the values in `{self.table}`.`{self.column.name}` are deleted"]

    phase: ClassVar[int] = 40

    def clauses(self, flavor: Flavor) -> list[str]:
        return [f"DROP COLUMN {ident(self.column.name)}"]

    def algorithm(self, flavor: Flavor, group: Sequence[Change]) -> str:
        col = self.column
        if col.auto_increment:
            return "copy"
        if any(isinstance(o, DropIndex) and col.name in o.index.columns for o in group):
            return "nocopy"
        return "instant" if flavor.supports_instant_drop_column() else "inplace"


@dataclass(frozen=True)
class ModifyColumn(Redefinition[Column], TableClause):
    """Redefine and/or move a column. `after`/`old_after` only matter when `moved`."""

    moved: bool = False
    after: str | None = None
    old_after: str | None = None

    kind: ClassVar[str] = "change"

    def inverse(self) -> Change:
        """The same type (a rename renames back): old and new, and where each stands, swap."""
        return replace(self, old=self.new, new=self.old, after=self.old_after, old_after=self.after)

    def describe(self) -> str:
        parts = []
        if self.old.ddl != self.new.ddl:
            parts.append(f"{self.old.definition} -> {self.new.definition}")
        if self.moved:
            parts.append(f"move {_pos(self.after)}")
        return f"modify column `{self.table}`.`{self.new.name}`: " + ", ".join(parts)

    @property
    def delta(self) -> ColumnDelta:
        return ColumnDelta(self.old, self.new)

    def risks(self) -> list[str]:
        return column_change_risks(self.delta)

    def order(self) -> int:
        return 60 if self.moved else 50

    def clauses(self, flavor: Flavor) -> list[str]:
        where = _position(self.after) if self.moved else ""
        return [f"MODIFY COLUMN {ident(self.new.name)} {self.new.ddl}{where}"]

    def algorithm(self, flavor: Flavor, group: Sequence[Change]) -> str:
        return self.delta.algorithm()


@dataclass(frozen=True)
class RenameColumn(ModifyColumn):
    """Declared rename (old.name -> new.name), possibly with a new definition/position."""

    def describe(self) -> str:
        text = f"rename column `{self.table}`.`{self.old.name}` to `{self.new.name}`"
        if self.old.ddl != self.new.ddl:
            text += f": {self.old.definition} -> {self.new.definition}"
        if self.moved:
            text += f", move {_pos(self.after)}"
        return text

    def clauses(self, flavor: Flavor) -> list[str]:
        where = _position(self.after) if self.moved else ""
        names = f"{ident(self.old.name)} {ident(self.new.name)}"
        return [f"CHANGE COLUMN {names} {self.new.ddl}{where}"]

    def algorithm(self, flavor: Flavor, group: Sequence[Change]) -> str:
        algo = self.delta.algorithm()
        if not flavor.supports_rename_column():
            algo = slowest([algo, "inplace"])
        return algo


# ---- indexes, keys, checks, options -------------------------------------------------


@dataclass(frozen=True)
class AddIndex(TableClause):
    index: Index
    # it becomes the clustered index of a table without a primary key (its first UNIQUE
    # NOT NULL key): the table is rebuilt in place (measured)
    clustered: bool = field(default=False, kw_only=True)

    def inverse(self) -> Change:
        return DropIndex(self.table, self.index, options=self.options, clustered=self.clustered)

    def describe(self) -> str:
        return f"add {self.index.definition} on `{self.table}`"

    phase: ClassVar[int] = 70

    def clauses(self, flavor: Flavor) -> list[str]:
        return [f"ADD {self.index.definition}"]

    def algorithm(self, flavor: Flavor, group: Sequence[Change]) -> str:
        if self.clustered:
            return "inplace"
        if self.index.kind == "fulltext" and self.options is not None:
            if self.options.fulltext:
                return "nocopy"  # measured: the table has its FTS_DOC_ID column already
            if self.options.versioned:
                return "copy"  # measured: the first FULLTEXT key of a versioned table
        return _index_algorithm(self.index, group, adding=True)

    def lock(self) -> str:
        return "shared" if self.index.kind in ("fulltext", "spatial") else "none"  # measured


@dataclass(frozen=True)
class DropIndex(TableClause):
    index: Index

    keeps_data: ClassVar[bool] = True  # a key holds no data of its own
    readded: bool = False  # the same ALTER adds it back unchanged (key order)
    # it is the clustered index of a table without a primary key: dropping it is dropping
    # the table's primary key, which only a COPY may do unless a PRIMARY KEY is added
    clustered: bool = field(default=False, kw_only=True)

    def inverse(self) -> Change:
        return AddIndex(self.table, self.index, options=self.options, clustered=self.clustered)

    def describe(self) -> str:
        if self.readded:
            why = "USING HASH kept" if self.index.is_long_unique else "clustered key order"
            return f"re-create {self.index.definition} on `{self.table}` ({why})"
        return f"drop {self.index.definition} on `{self.table}`"

    def risks(self) -> list[str]:
        if not self.index.is_unique or self.readded:
            return []
        return [
            f"`{self.table}` loses the uniqueness guarantee of `{self.index.name}`:"
            " duplicates become possible and the key cannot be restored once they exist"
        ]

    phase: ClassVar[int] = 20

    def clauses(self, flavor: Flavor) -> list[str]:
        return [_drop_index(self.index.name)]

    def algorithm(self, flavor: Flavor, group: Sequence[Change]) -> str:
        if self.clustered:
            adds_primary = any(isinstance(c, AddIndex) and c.index.is_primary for c in group)
            return "inplace" if adds_primary else "copy"
        return _index_algorithm(self.index, group, adding=False)


@dataclass(frozen=True)
class RenameIndex(Redefinition[Index], TableClause):
    def describe(self) -> str:
        return f"rename index `{self.table}`.`{self.old.name}` to `{self.new.name}`"

    phase: ClassVar[int] = 30

    def clauses(self, flavor: Flavor) -> list[str]:
        if flavor.supports_rename_index():
            return [f"RENAME INDEX {ident(self.old.name)} TO {ident(self.new.name)}"]
        return [_drop_index(self.old.name), f"ADD {self.new.definition}"]

    def algorithm(self, flavor: Flavor, group: Sequence[Change]) -> str:
        return "instant"


@dataclass(frozen=True)
class CheckClause(TableClause):
    """A CHECK constraint added (AddCheck) or dropped (DropCheck): a check whose text
    changed is dropped first and added back last."""

    check: Check

    adding: ClassVar[bool]

    @classmethod
    def found(cls, old: Table, new: Table) -> list[Change]:
        """The checks one side has and the other lacks or defines otherwise."""
        source, other = (new, old) if cls.adding else (old, new)
        others = {c.name: c for c in other.checks}
        return [cls(new.name, c) for c in source.checks if others.get(c.name) != c]

    def inverse(self) -> Change:
        return (DropCheck if self.adding else AddCheck)(
            self.table, self.check, options=self.options
        )

    def describe(self) -> str:
        if self.adding:
            return f"add {self.check.definition} on `{self.table}`"
        return f"drop check `{self.table}`.`{self.check.name}`"

    def order(self) -> int:
        return 80 if self.adding else 10

    def clauses(self, flavor: Flavor) -> list[str]:
        if self.adding:
            return [f"ADD {self.check.definition}"]
        return [f"DROP CONSTRAINT {ident(self.check.name)}"]

    def algorithm(self, flavor: Flavor, group: Sequence[Change]) -> str:
        return "copy" if self.adding else "instant"  # a new check is validated on every row


class AddCheck(CheckClause):
    adding = True


class DropCheck(CheckClause):
    adding = False


@dataclass(frozen=True)
class AlterTableOptions(Redefinition[TableOptions], TableClause):
    @classmethod
    def found(cls, old: Table, new: Table) -> list[Change]:
        """The table options (system versioning apart: SetSystemVersioning) that differ."""
        before = old.options.without(SYSTEM_VERSIONING)
        after = new.options.without(SYSTEM_VERSIONING)
        return [cls(new.name, before, after)] if before != after else []

    def changed(self) -> list[tuple[str, str | None, str | None]]:
        old, new = self.old.as_dict(), self.new.as_dict()
        keys = list(dict.fromkeys([*old, *new]))
        return [(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)]

    def describe(self) -> str:
        parts = [f"{k} {a or 'default'} -> {b or 'default'}" for k, a, b in self.changed()]
        return f"table options of `{self.table}`: " + ", ".join(parts)

    phase: ClassVar[int] = 90

    def clauses(self, flavor: Flavor) -> list[str]:
        out: list[str] = []
        charset_done = False
        for key, _old, new in self.changed():
            if key in ("DEFAULT CHARSET", "COLLATE"):
                if not charset_done:
                    charset_done = True
                    text = f"DEFAULT CHARSET={self.new.charset or 'DEFAULT'}"
                    if self.new.collation:
                        text += f" COLLATE={self.new.collation}"
                    out.append(text)
                continue
            out.append(f"{key}={new if new is not None else _RESET.get(key, 'DEFAULT')}")
        return out

    def algorithm(self, flavor: Flavor, group: Sequence[Change]) -> str:
        keys = {k for k, _, _ in self.changed()}
        if keys <= _METADATA_OPTIONS:
            return "instant"
        if keys <= _METADATA_OPTIONS | _REBUILD_OPTIONS:
            return "inplace"  # a rebuild in place
        return "copy"


# ---- MariaDB index visibility and system versioning ---------------------------------


@dataclass(frozen=True)
class SetIndexIgnored(TableClause):
    """ALTER INDEX ... [NOT] IGNORED: the key stays up to date, the optimizer skips it."""

    index: Index
    ignored: bool

    def inverse(self) -> Change:
        return replace(self, ignored=not self.ignored)

    def describe(self) -> str:
        state = "ignored" if self.ignored else "not ignored"
        return f"make index `{self.table}`.`{self.index.name}` {state}"

    phase: ClassVar[int] = 85

    def clauses(self, flavor: Flavor) -> list[str]:
        state = "IGNORED" if self.ignored else "NOT IGNORED"
        return [f"ALTER INDEX {ident(self.index.name)} {state}"]

    def algorithm(self, flavor: Flavor, group: Sequence[Change]) -> str:
        return "instant"


@dataclass(frozen=True)
class SetSystemVersioning(TableClause):
    """ADD / DROP SYSTEM VERSIONING."""

    versioned: bool

    @classmethod
    def found(cls, old: Table, new: Table) -> list[Change]:
        versioned = new.options.versioned
        return [cls(new.name, versioned)] if old.options.versioned != versioned else []

    def inverse(self) -> Change:
        return replace(self, versioned=not self.versioned)

    def describe(self) -> str:
        verb = "add" if self.versioned else "drop"
        return f"{verb} system versioning of `{self.table}`"

    def risks(self) -> list[str]:
        if self.versioned:
            return []
        return [f"the history rows of `{self.table}` are deleted"]

    def order(self) -> int:
        return 95 if self.versioned else 0  # dropped first, added last

    def clauses(self, flavor: Flavor) -> list[str]:
        return ["ADD SYSTEM VERSIONING" if self.versioned else "DROP SYSTEM VERSIONING"]

    def algorithm(self, flavor: Flavor, group: Sequence[Change]) -> str:
        if not self.versioned and self.options is not None and self.options.partitioned:
            return "copy"  # measured: a partitioned table drops its versioning by copying
        return "copy" if self.versioned else "inplace"

    def lock(self) -> str:
        return "shared"  # measured: history rows are written or removed under a read lock


# ---- what diff_table compares -------------------------------------------------------

# diff_table (mrpplan.diff.table_diff) works out the column and key clauses itself (renames,
# moves, re-created keys); every other part of a table is compared by one entry here,
# old -> new. BEFORE_COLUMNS are listed before the column and key clauses in a step's
# reason and `changes`, AFTER_COLUMNS after them (inside the ALTER, `order()` places each
# clause). A new clause type that compares a part of the table adds its `found` here.
Found = Callable[["Table", "Table"], list[Change]]
BEFORE_COLUMNS: tuple[Found, ...] = (DropCheck.found,)
AFTER_COLUMNS: tuple[Found, ...] = (
    AddCheck.found,
    AlterTableOptions.found,
    SetSystemVersioning.found,
)


# ---- shared helpers -----------------------------------------------------------------

ORDER = ("instant", "nocopy", "inplace", "copy")
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
_RESET = {
    "COMMENT": "''",
    "KEY_BLOCK_SIZE": "0",
    "MAX_ROWS": "0",
    "MIN_ROWS": "0",
    "AVG_ROW_LENGTH": "0",
    "CHECKSUM": "0",
    "PACK_KEYS": "DEFAULT",
}


def slowest(algorithms: Sequence[str]) -> str:
    return max(algorithms, key=ORDER.index) if algorithms else "instant"


def _position(after: str | None) -> str:
    return " FIRST" if after is None else f" AFTER {ident(after)}"


def _drop_index(name: str) -> str:
    return "DROP PRIMARY KEY" if name == "PRIMARY" else f"DROP KEY {ident(name)}"


def _index_algorithm(index: Index, group: Sequence[Change], *, adding: bool) -> str:
    if index.is_long_unique and adding:
        return "copy"  # measured: the server fills its hidden hash column by copying
    if index.is_primary:
        adds = any(isinstance(c, AddIndex) and c.index.is_primary for c in group)
        drops = any(isinstance(c, DropIndex) and c.index.is_primary for c in group)
        return "inplace" if adds and drops else "copy"
    if index.kind == "fulltext":
        return "inplace" if adding else "nocopy"
    if index.kind == "spatial" and adding:
        added = {c.column.name for c in group if isinstance(c, AddColumn)}
        return "inplace" if added & set(index.columns) else "nocopy"  # measured
    return "nocopy"
