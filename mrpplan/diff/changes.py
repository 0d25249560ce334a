"""Table, foreign key, view and routine changes (ALTER TABLE clauses are in
mrpplan.diff.clauses, partitioning in mrpplan.diff.partition_changes). Each renders its
own statement and names the step kind it is (mrpplan.diff.change).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from mrpplan.diff.change import (
    Change,
    Redefinition,
    algorithm_lock_clause,
    predicted_algorithm,
    predicted_lock,
)
from mrpplan.model.foreign_key import ForeignKey
from mrpplan.model.layout import without_elements
from mrpplan.model.routine import Routine
from mrpplan.model.table import Table
from mrpplan.model.view import View
from mrpplan.mysql.quote import ident

if TYPE_CHECKING:
    from mrpplan.mysql.flavor import Flavor

# ---- tables -------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateTable(Change):
    definition: Table
    deferred_fks: tuple[str, ...] = ()  # FKs added later by AddForeignKey (cycles, drops)

    kind: ClassVar[str] = "add"
    action_name: ClassVar[str] = "create_table"

    def inverse(self) -> Change:
        return DropTable(self.table, self.definition, self.deferred_fks)

    def describe(self) -> str:
        return f"create table `{self.table}`"

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        return (create_table_sql(self.definition, self.deferred_fks),)


@dataclass(frozen=True)
class DropTable(Change):
    definition: Table
    deferred_fks: tuple[str, ...] = ()  # FKs dropped earlier by DropForeignKey

    kind: ClassVar[str] = "destroy"
    action_name: ClassVar[str] = "drop_table"

    def inverse(self) -> Change:
        return CreateTable(self.table, self.definition, self.deferred_fks)

    def describe(self) -> str:
        return f"drop table `{self.table}`"

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        return (f"DROP TABLE {ident(self.table)}",)

    def risks(self) -> list[str]:
        return [f"all rows of `{self.table}` are deleted"]


@dataclass(frozen=True)
class TrashTable(Change):
    """DropTable rendered as a rename to a trash table: rollback renames it back."""

    definition: Table
    trash: str

    kind: ClassVar[str] = "destroy"
    action_name: ClassVar[str] = "drop_table"
    keeps_data: ClassVar[bool] = True  # the rows wait in the trash table

    def inverse(self) -> Change:
        return RestoreTable(self.table, self.definition, self.trash)

    def describe(self) -> str:
        return f"drop table `{self.table}` (kept as `{self.trash}` until retention purges it)"

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        return (f"RENAME TABLE {ident(self.table)} TO {ident(self.trash)}",)

    def risks(self) -> list[str]:
        return [f"`{self.table}` and its rows leave the schema"]


@dataclass(frozen=True)
class RestoreTable(Change):
    definition: Table
    trash: str

    kind: ClassVar[str] = "add"
    action_name: ClassVar[str] = "create_table"

    def inverse(self) -> Change:
        return TrashTable(self.table, self.definition, self.trash)

    def describe(self) -> str:
        return f"restore table `{self.table}` from `{self.trash}`"

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        return (f"RENAME TABLE {ident(self.trash)} TO {ident(self.table)}",)


@dataclass(frozen=True)
class UnsupportedTableChange(Redefinition[Table]):
    """A table mrpplan cannot model exactly differs: reported, never recreated silently."""

    why: str

    action_name: ClassVar[str] = "unsupported_table"
    keeps_data: ClassVar[bool] = True  # never runs

    def describe(self) -> str:
        return (
            f"table `{self.table}` differs but uses features mrpplan cannot change safely"
            f" ({self.why}); change it with a hand-written migration"
        )

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        return ()  # reported, never run

    def risks(self) -> list[str]:
        return ["mrpplan will not alter it automatically"]


class _ForeignKeyChange(Change):
    """Foreign keys dropped or added together: one ALTER TABLE of their own."""

    def statement_algorithm(self, group: Sequence[Change], flavor: Flavor) -> str:
        return predicted_algorithm(group, flavor)

    def statement_lock(self, group: Sequence[Change], flavor: Flavor) -> str:
        return predicted_lock(group, flavor)

    def _alter(self, items: list[str], group: Sequence[Change], flavor: Flavor) -> tuple[str]:
        named = algorithm_lock_clause(group, flavor)
        return (f"ALTER TABLE {ident(self.table)} " + ", ".join(items) + f", {named}",)


@dataclass(frozen=True)
class AddForeignKey(_ForeignKeyChange):
    foreign_key: ForeignKey

    joins: ClassVar[str | None] = "fk-add"

    def inverse(self) -> Change:
        return DropForeignKey(self.table, self.foreign_key)

    def describe(self) -> str:
        return f"add {self.foreign_key.definition} on `{self.table}`"

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        fks = [c.foreign_key for c in group if isinstance(c, AddForeignKey)]
        items = []
        if flavor.supports_rename_index():
            # A same-name RENAME makes a key the server once generated for a foreign key
            # an ordinary one, so it is not replaced by a new key named after the FK.
            keys = dict.fromkeys(k for fk in fks for k in fk.indexes if k != "PRIMARY")
            items += [f"RENAME INDEX {ident(k)} TO {ident(k)}" for k in keys]
        items += [f"ADD {fk.definition}" for fk in fks]
        return self._alter(items, group, flavor)


@dataclass(frozen=True)
class DropForeignKey(_ForeignKeyChange):
    foreign_key: ForeignKey

    joins: ClassVar[str | None] = "fk-drop"

    def inverse(self) -> Change:
        return AddForeignKey(self.table, self.foreign_key)

    def describe(self) -> str:
        return f"drop foreign key `{self.table}`.`{self.foreign_key.name}`"

    def algorithm(self, flavor: Flavor, group: Sequence[Change]) -> str:
        return "instant"

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        names = [c.foreign_key.name for c in group if isinstance(c, DropForeignKey)]
        return self._alter([f"DROP FOREIGN KEY {ident(n)}" for n in names], group, flavor)


# ---- views, routines, triggers, events ----------------------------------------------


class _NotATable(Change):
    """A view or routine: its statement touches no rows (nothing to checkpoint)."""

    @property
    def tables(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class CreateView(_NotATable):
    view: View

    kind: ClassVar[str] = "add"
    action_name: ClassVar[str] = "create_view"

    def inverse(self) -> Change:
        return DropView(self.table, self.view)

    def describe(self) -> str:
        return f"create view `{self.table}`"

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        return (self.view.canonical,)


@dataclass(frozen=True)
class DropView(_NotATable):
    view: View

    kind: ClassVar[str] = "destroy"
    action_name: ClassVar[str] = "drop_view"

    def inverse(self) -> Change:
        return CreateView(self.table, self.view)

    def describe(self) -> str:
        return f"drop view `{self.table}`"

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        return (f"DROP VIEW {ident(self.table)}",)


@dataclass(frozen=True)
class ReplaceView(_NotATable, Redefinition[View]):
    action_name: ClassVar[str] = "replace_view"

    def describe(self) -> str:
        return f"replace view `{self.table}`"

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        return ("CREATE OR REPLACE " + self.new.canonical.removeprefix("CREATE "),)


@dataclass(frozen=True)
class CreateRoutine(_NotATable):
    """A procedure, function, trigger or event (routine.kind says which)."""

    routine: Routine

    kind: ClassVar[str] = "add"

    def inverse(self) -> Change:
        return DropRoutine(self.table, self.routine)

    def describe(self) -> str:
        return f"create {self.routine.kind.lower()} `{self.routine.name}`"

    @property
    def action(self) -> str:
        return f"create_{self.routine.kind.lower()}"

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        return (self.routine.canonical,)


@dataclass(frozen=True)
class DropRoutine(_NotATable):
    routine: Routine

    kind: ClassVar[str] = "destroy"

    def inverse(self) -> Change:
        return CreateRoutine(self.table, self.routine)

    def describe(self) -> str:
        return f"drop {self.routine.kind.lower()} `{self.routine.name}`"

    @property
    def action(self) -> str:
        return f"drop_{self.routine.kind.lower()}"

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        return (f"DROP {self.routine.kind} {ident(self.routine.name)}",)


# Names from the agreed API: triggers and events are routines with their kind.
CreateTrigger = CreateEvent = CreateRoutine
DropTrigger = DropEvent = DropRoutine


def create_table_sql(table: Table, without_fks: Sequence[str] = ()) -> str:
    """The server's own CREATE TABLE text, verbatim (the author's order of keys and
    constraints), minus foreign keys that are added later."""
    if not without_fks:
        return table.text
    skip = {fk.definition for fk in table.foreign_keys if fk.name in without_fks}
    return without_elements(table.text, skip)
