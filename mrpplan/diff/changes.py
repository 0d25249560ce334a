"""Table, foreign key, view and routine changes (ALTER TABLE clauses are in
mrpplan.diff.clauses, partitioning in mrpplan.diff.partition_changes). Every change
type is importable from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from mrpplan.diff.change import Change, TableClause
from mrpplan.diff.clauses import (
    AddCheck,
    AddColumn,
    AddIndex,
    AlterTableOptions,
    DropCheck,
    DropColumn,
    DropIndex,
    ModifyColumn,
    RenameColumn,
    RenameIndex,
    SetIndexIgnored,
    SetSystemVersioning,
)
from mrpplan.model.foreign_key import ForeignKey
from mrpplan.model.routine import Routine
from mrpplan.model.table import Table
from mrpplan.model.view import View

if TYPE_CHECKING:
    from mrpplan.mysql.flavor import Flavor

__all__ = [
    "AddCheck",
    "AddColumn",
    "AddForeignKey",
    "AddIndex",
    "AlterTableOptions",
    "Change",
    "CreateRoutine",
    "CreateTable",
    "CreateView",
    "DropCheck",
    "DropColumn",
    "DropForeignKey",
    "DropIndex",
    "DropRoutine",
    "DropTable",
    "DropView",
    "ModifyColumn",
    "RenameColumn",
    "RenameIndex",
    "ReplaceView",
    "RestoreTable",
    "SetIndexIgnored",
    "SetSystemVersioning",
    "TableClause",
    "TrashTable",
    "UnsupportedTableChange",
]


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

    def algorithm(self, flavor: Flavor, group: Sequence[Change]) -> str:
        return "instant"


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
