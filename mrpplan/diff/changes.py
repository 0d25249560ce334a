"""One small frozen dataclass per schema change; each knows its inverse and its risk.

Drops carry what they drop, so `inverse()` can always rebuild it (DESIGN §4.3).
`kind` is Terraform's add / change / destroy; `destructive` means data can be lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from mrpplan.diff.safety import column_change_risks
from mrpplan.model.check import Check
from mrpplan.model.column import Column
from mrpplan.model.foreign_key import ForeignKey
from mrpplan.model.index import Index
from mrpplan.model.routine import Routine
from mrpplan.model.table import Table
from mrpplan.model.table_options import TableOptions
from mrpplan.model.view import View


@dataclass(frozen=True)
class Change:
    table: str  # the object's name (table, view, routine)

    kind: ClassVar[str] = "change"

    def inverse(self) -> Change:
        raise NotImplementedError

    @property
    def destructive(self) -> bool:
        return bool(self.risks())

    @property
    def needs_checkpoint(self) -> bool:
        """Data cannot come back through the inverse alone."""
        return self.destructive

    def risks(self) -> list[str]:
        return []

    def describe(self) -> str:
        return type(self).__name__

    @property
    def reason(self) -> str:
        risks = self.risks()
        return self.describe() + ("; " + "; ".join(risks) if risks else "")


@dataclass(frozen=True)
class TableClause(Change):
    """A change that is one clause of an ALTER TABLE. `options` are the table's options
    (engine, row format) where the clause runs: they decide the algorithm."""

    options: TableOptions | None = field(default=None, kw_only=True, compare=False)


def _pos(after: str | None) -> str:
    return "first" if after is None else f"after `{after}`"


# ---- tables -------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateTable(Change):
    definition: Table
    deferred_fks: tuple[str, ...] = ()  # FKs added later by AddForeignKey (cycles, drops)

    kind: ClassVar[str] = "add"

    def inverse(self) -> Change:
        return DropTable(self.table, self.definition, self.deferred_fks)

    def describe(self) -> str:
        return f"create table `{self.table}`"


@dataclass(frozen=True)
class DropTable(Change):
    definition: Table
    deferred_fks: tuple[str, ...] = ()  # FKs dropped earlier by DropForeignKey

    kind: ClassVar[str] = "destroy"

    def inverse(self) -> Change:
        return CreateTable(self.table, self.definition, self.deferred_fks)

    def describe(self) -> str:
        return f"drop table `{self.table}`"

    def risks(self) -> list[str]:
        return [f"all rows of `{self.table}` are deleted"]


@dataclass(frozen=True)
class TrashTable(Change):
    """DropTable rendered as a rename to a trash table: rollback renames it back."""

    definition: Table
    trash: str

    kind: ClassVar[str] = "destroy"

    def inverse(self) -> Change:
        return RestoreTable(self.table, self.definition, self.trash)

    def describe(self) -> str:
        return f"drop table `{self.table}` (kept as `{self.trash}` until retention purges it)"

    def risks(self) -> list[str]:
        return [f"`{self.table}` and its rows leave the schema"]

    @property
    def needs_checkpoint(self) -> bool:
        return False


@dataclass(frozen=True)
class RestoreTable(Change):
    definition: Table
    trash: str

    kind: ClassVar[str] = "add"

    def inverse(self) -> Change:
        return TrashTable(self.table, self.definition, self.trash)

    def describe(self) -> str:
        return f"restore table `{self.table}` from `{self.trash}`"


@dataclass(frozen=True)
class UnsupportedTableChange(Change):
    """A table mrpplan cannot model exactly differs: reported, never recreated silently."""

    old: Table
    new: Table
    why: str

    def inverse(self) -> Change:
        return UnsupportedTableChange(self.table, self.new, self.old, self.why)

    def describe(self) -> str:
        return (
            f"table `{self.table}` differs but uses features mrpplan cannot change safely"
            f" ({self.why}); change it with a hand-written migration"
        )

    def risks(self) -> list[str]:
        return ["mrpplan will not alter it automatically"]

    @property
    def needs_checkpoint(self) -> bool:
        return False


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


@dataclass(frozen=True)
class ModifyColumn(TableClause):
    """Redefine and/or move a column. `after`/`old_after` only matter when `moved`."""

    old: Column
    new: Column
    moved: bool = False
    after: str | None = None
    old_after: str | None = None

    kind: ClassVar[str] = "change"

    def inverse(self) -> Change:
        return ModifyColumn(
            self.table,
            self.new,
            self.old,
            self.moved,
            self.old_after,
            self.after,
            options=self.options,
        )

    def describe(self) -> str:
        parts = []
        if self.old.ddl != self.new.ddl:
            parts.append(f"{self.old.definition} -> {self.new.definition}")
        if self.moved:
            parts.append(f"move {_pos(self.after)}")
        return f"modify column `{self.table}`.`{self.new.name}`: " + ", ".join(parts)

    def risks(self) -> list[str]:
        return column_change_risks(self.old, self.new)


@dataclass(frozen=True)
class RenameColumn(ModifyColumn):
    """Declared rename (old.name -> new.name), possibly with a new definition/position."""

    def inverse(self) -> Change:
        return RenameColumn(
            self.table,
            self.new,
            self.old,
            self.moved,
            self.old_after,
            self.after,
            options=self.options,
        )

    def describe(self) -> str:
        text = f"rename column `{self.table}`.`{self.old.name}` to `{self.new.name}`"
        if self.old.ddl != self.new.ddl:
            text += f": {self.old.definition} -> {self.new.definition}"
        if self.moved:
            text += f", move {_pos(self.after)}"
        return text


# ---- indexes, keys, checks, options -------------------------------------------------


@dataclass(frozen=True)
class AddIndex(TableClause):
    index: Index

    def inverse(self) -> Change:
        return DropIndex(self.table, self.index, options=self.options)

    def describe(self) -> str:
        return f"add {self.index.definition} on `{self.table}`"


@dataclass(frozen=True)
class DropIndex(TableClause):
    index: Index
    readded: bool = False  # the same ALTER adds it back unchanged (key order)

    def inverse(self) -> Change:
        return AddIndex(self.table, self.index, options=self.options)

    def describe(self) -> str:
        if self.readded:
            return f"re-create {self.index.definition} on `{self.table}` (clustered key order)"
        return f"drop {self.index.definition} on `{self.table}`"

    def risks(self) -> list[str]:
        if not self.index.is_unique or self.readded:
            return []
        return [
            f"`{self.table}` loses the uniqueness guarantee of `{self.index.name}`:"
            " duplicates become possible and the key cannot be restored once they exist"
        ]

    @property
    def needs_checkpoint(self) -> bool:
        return False


@dataclass(frozen=True)
class RenameIndex(TableClause):
    old: Index
    new: Index

    def inverse(self) -> Change:
        return RenameIndex(self.table, self.new, self.old, options=self.options)

    def describe(self) -> str:
        return f"rename index `{self.table}`.`{self.old.name}` to `{self.new.name}`"


@dataclass(frozen=True)
class AddForeignKey(Change):
    foreign_key: ForeignKey

    def inverse(self) -> Change:
        return DropForeignKey(self.table, self.foreign_key)

    def describe(self) -> str:
        return f"add {self.foreign_key.definition} on `{self.table}`"


@dataclass(frozen=True)
class DropForeignKey(Change):
    foreign_key: ForeignKey

    def inverse(self) -> Change:
        return AddForeignKey(self.table, self.foreign_key)

    def describe(self) -> str:
        return f"drop foreign key `{self.table}`.`{self.foreign_key.name}`"


@dataclass(frozen=True)
class AddCheck(TableClause):
    check: Check

    def inverse(self) -> Change:
        return DropCheck(self.table, self.check, options=self.options)

    def describe(self) -> str:
        return f"add {self.check.definition} on `{self.table}`"


@dataclass(frozen=True)
class DropCheck(TableClause):
    check: Check

    def inverse(self) -> Change:
        return AddCheck(self.table, self.check, options=self.options)

    def describe(self) -> str:
        return f"drop check `{self.table}`.`{self.check.name}`"


@dataclass(frozen=True)
class AlterTableOptions(Change):
    old: TableOptions
    new: TableOptions

    def inverse(self) -> Change:
        return AlterTableOptions(self.table, self.new, self.old)

    def changed(self) -> list[tuple[str, str | None, str | None]]:
        old, new = self.old.as_dict(), self.new.as_dict()
        keys = list(dict.fromkeys([*old, *new]))
        return [(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)]

    def describe(self) -> str:
        parts = [f"{k} {a or 'default'} -> {b or 'default'}" for k, a, b in self.changed()]
        return f"table options of `{self.table}`: " + ", ".join(parts)


# ---- views, routines, triggers, events ----------------------------------------------


@dataclass(frozen=True)
class CreateView(Change):
    view: View

    kind: ClassVar[str] = "add"

    def inverse(self) -> Change:
        return DropView(self.table, self.view)

    def describe(self) -> str:
        return f"create view `{self.table}`"


@dataclass(frozen=True)
class DropView(Change):
    view: View

    kind: ClassVar[str] = "destroy"

    def inverse(self) -> Change:
        return CreateView(self.table, self.view)

    def describe(self) -> str:
        return f"drop view `{self.table}`"


@dataclass(frozen=True)
class ReplaceView(Change):
    old: View
    new: View

    def inverse(self) -> Change:
        return ReplaceView(self.table, self.new, self.old)

    def describe(self) -> str:
        return f"replace view `{self.table}`"


@dataclass(frozen=True)
class CreateRoutine(Change):
    """A procedure, function, trigger or event (routine.kind says which)."""

    routine: Routine

    kind: ClassVar[str] = "add"

    def inverse(self) -> Change:
        return DropRoutine(self.table, self.routine)

    def describe(self) -> str:
        return f"create {self.routine.kind.lower()} `{self.routine.name}`"


@dataclass(frozen=True)
class DropRoutine(Change):
    routine: Routine

    kind: ClassVar[str] = "destroy"

    def inverse(self) -> Change:
        return CreateRoutine(self.table, self.routine)

    def describe(self) -> str:
        return f"drop {self.routine.kind.lower()} `{self.routine.name}`"


# Names from the agreed API: triggers and events are routines with their kind.
CreateTrigger = CreateEvent = CreateRoutine
DropTrigger = DropEvent = DropRoutine


# ---- MariaDB index visibility and system versioning ---------------------------------


@dataclass(frozen=True)
class SetIndexIgnored(TableClause):
    """ALTER INDEX ... [NOT] IGNORED: the key stays up to date, the optimizer skips it."""

    index: Index
    ignored: bool

    def inverse(self) -> Change:
        return SetIndexIgnored(self.table, self.index, not self.ignored, options=self.options)

    def describe(self) -> str:
        state = "ignored" if self.ignored else "not ignored"
        return f"make index `{self.table}`.`{self.index.name}` {state}"


@dataclass(frozen=True)
class SetSystemVersioning(TableClause):
    """ADD / DROP SYSTEM VERSIONING."""

    versioned: bool

    def inverse(self) -> Change:
        return SetSystemVersioning(self.table, not self.versioned, options=self.options)

    def describe(self) -> str:
        verb = "add" if self.versioned else "drop"
        return f"{verb} system versioning of `{self.table}`"

    def risks(self) -> list[str]:
        if self.versioned:
            return []
        return [f"the history rows of `{self.table}` are deleted"]
