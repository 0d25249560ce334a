"""Table, foreign key, view and routine changes (ALTER TABLE clauses are in
mrpplan.diff.clauses, partitioning in mrpplan.diff.partition_changes). Each renders its
own statement and names the step kind it is (mrpplan.diff.change). A kind of object is
one class holding both directions (`CreateOrDrop`), subclassed as CreateX and DropX;
views and routines also find themselves (`OBJECTS`, asked by mrpplan.diff.differ), so a
new kind of object is this file only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from mrpplan.diff.change import (
    Change,
    Redefinition,
    algorithm_lock_clause,
    predicted_algorithm,
    predicted_lock,
)
from mrpplan.diff.order import views_in_dependency_order
from mrpplan.model.foreign_key import ForeignKey
from mrpplan.model.layout import without_elements
from mrpplan.model.routine import Routine
from mrpplan.model.schema import Schema
from mrpplan.model.table import Table
from mrpplan.model.view import View
from mrpplan.mysql.quote import ident

if TYPE_CHECKING:
    from mrpplan.mysql.flavor import Flavor


class CreateOrDrop(Change):
    """Both directions of one kind of object in one class: its subclasses CreateX (kind
    add) and DropX (kind destroy) differ in nothing else; a drop carries what it drops,
    so its inverse creates it again."""

    noun: ClassVar[str] = "table"
    # what a drop loses, as the plan says it ({table}: its name); "": nothing
    drop_risk: ClassVar[str] = ""

    @property
    def creates(self) -> bool:
        return self.kind == "add"

    @property
    def verb(self) -> str:
        return "create" if self.creates else "drop"

    @property
    def action(self) -> str:
        return f"{self.verb}_{self.noun}"

    def describe(self) -> str:
        return f"{self.verb} {self.noun} `{self.table}`"

    def risks(self) -> list[str]:
        if self.creates or not self.drop_risk:
            return []
        return [self.drop_risk.format(table=self.table)]


# ---- tables -------------------------------------------------------------------------


@dataclass(frozen=True)
class TableChange(CreateOrDrop):
    """A table created from its definition (CreateTable) or dropped (DropTable).
    `deferred_fks`: its foreign keys that AddForeignKey adds later (cycles, drops), or
    that DropForeignKey dropped earlier."""

    definition: Table
    deferred_fks: tuple[str, ...] = ()

    drop_risk: ClassVar[str] = "all rows of `{table}` are deleted"

    def inverse(self) -> Change:
        other = DropTable if self.creates else CreateTable
        return other(self.table, self.definition, self.deferred_fks)

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        if self.creates:
            return (create_table_sql(self.definition, self.deferred_fks),)
        return (f"DROP TABLE {ident(self.table)}",)


class CreateTable(TableChange):
    kind = "add"


class DropTable(TableChange):
    kind = "destroy"


@dataclass(frozen=True)
class TrashChange(CreateOrDrop):
    """DropTable rendered as a rename to a trash table (TrashTable), where the rows wait
    until retention purges them; its inverse renames it back (RestoreTable)."""

    definition: Table
    trash: str

    drop_risk: ClassVar[str] = "`{table}` and its rows leave the schema"
    keeps_data: ClassVar[bool] = True

    def inverse(self) -> Change:
        other = TrashTable if self.creates else RestoreTable
        return other(self.table, self.definition, self.trash)

    def describe(self) -> str:
        if self.creates:
            return f"restore table `{self.table}` from `{self.trash}`"
        return f"drop table `{self.table}` (kept as `{self.trash}` until retention purges it)"

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        source, target = (self.trash, self.table) if self.creates else (self.table, self.trash)
        return (f"RENAME TABLE {ident(source)} TO {ident(target)}",)


class TrashTable(TrashChange):
    kind = "destroy"


class RestoreTable(TrashChange):
    kind = "add"


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


class NotATable(Change):
    """A view or routine: its statement touches no rows (nothing to checkpoint)."""

    @property
    def tables(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class ViewChange(NotATable, CreateOrDrop):
    """A view created (CreateView) or dropped (DropView)."""

    view: View

    noun: ClassVar[str] = "view"

    def inverse(self) -> Change:
        return (DropView if self.creates else CreateView)(self.table, self.view)

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        return (self.view.canonical if self.creates else f"DROP VIEW {ident(self.table)}",)


class CreateView(ViewChange):
    kind = "add"


class DropView(ViewChange):
    kind = "destroy"


@dataclass(frozen=True)
class ReplaceView(NotATable, Redefinition[View]):
    action_name: ClassVar[str] = "replace_view"

    def describe(self) -> str:
        return f"replace view `{self.table}`"

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        return ("CREATE OR REPLACE " + self.new.canonical.removeprefix("CREATE "),)


@dataclass(frozen=True)
class RoutineChange(NotATable, CreateOrDrop):
    """A procedure, function, trigger or event (routine.kind says which) created
    (CreateRoutine) or dropped (DropRoutine); its step kind is create_procedure, ..."""

    routine: Routine

    @property
    def noun(self) -> str:  # type: ignore[override]
        return self.routine.kind.lower()

    def inverse(self) -> Change:
        return (DropRoutine if self.creates else CreateRoutine)(self.table, self.routine)

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        if self.creates:
            return (self.routine.canonical,)
        return (f"DROP {self.routine.kind} {ident(self.routine.name)}",)


class CreateRoutine(RoutineChange):
    kind = "add"


class DropRoutine(RoutineChange):
    kind = "destroy"


# Names from the agreed API: triggers and events are routines with their kind.
CreateTrigger = CreateEvent = CreateRoutine
DropTrigger = DropEvent = DropRoutine


# ---- what diff_schemas compares besides tables ---------------------------------------


def routine_changes(current: Schema, desired: Schema) -> tuple[list[Change], list[Change]]:
    """Procedures, functions, triggers and events whose text differs are dropped and
    created again; routines are created before triggers and events (which may call them)."""
    drops: list[Change] = []
    creates: list[Change] = []
    for section in ("triggers", "events", "routines"):
        old: dict[str, Routine] = getattr(current, section)
        new: dict[str, Routine] = getattr(desired, section)
        for name in sorted(old):
            if name not in new or new[name].canonical != old[name].canonical:
                drops.append(DropRoutine(old[name].name, old[name]))
        for name in sorted(new):
            if name not in old or new[name].canonical != old[name].canonical:
                creates.append(CreateRoutine(new[name].name, new[name]))
    creates.sort(
        key=lambda c: isinstance(c, CreateRoutine) and c.routine.kind in ("TRIGGER", "EVENT")
    )
    return drops, creates


def view_changes(current: Schema, desired: Schema) -> tuple[list[Change], list[Change]]:
    """Views dropped, created (a view after those it reads) or replaced."""
    drops: list[Change] = [
        DropView(n, v) for n, v in sorted(current.views.items()) if n not in desired.views
    ]
    creates: list[Change] = []
    for name in views_in_dependency_order({n: v.canonical for n, v in desired.views.items()}):
        view = desired.views[name]
        if name not in current.views:
            creates.append(CreateView(name, view))
        elif current.views[name].canonical != view.canonical:
            creates.append(ReplaceView(name, current.views[name], view))
    return drops, creates


# diff_schemas (mrpplan.diff.differ) asks each entry for the (drops, creates) of one kind
# of object besides tables: the drops run in this order before tables are dropped, the
# creates in the reverse order after tables are created. A new kind of object adds its
# entry here.
ObjectChanges = Callable[[Schema, Schema], tuple[list[Change], list[Change]]]
OBJECTS: tuple[ObjectChanges, ...] = (routine_changes, view_changes)


def create_table_sql(table: Table, without_fks: Sequence[str] = ()) -> str:
    """The server's own CREATE TABLE text, verbatim (the author's order of keys and
    constraints), minus foreign keys that are added later."""
    if not without_fks:
        return table.text
    skip = {fk.definition for fk in table.foreign_keys if fk.name in without_fks}
    return without_elements(table.text, skip)
