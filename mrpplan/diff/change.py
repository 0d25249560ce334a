"""The base of every schema change: its inverse, its risk, its own statement (as Skeema's
`ObjectDiff.Statement()`), and (for ALTER TABLE clauses) its own SQL clause and ALGORITHM
prediction.

A change heads the statement it shares with the changes after it that have the same
`joins` key and table (the clauses of one ALTER TABLE, foreign keys dropped or added
together); `statement`, `statement_algorithm` and `statement_lock` render that group
(mrpplan.diff.ddl groups them). A new change class says all of this itself.

Drops carry what they drop, so `inverse()` can always rebuild it (DESIGN §4.3).
`kind` is Terraform's add / change / destroy; `destructive` means data can be lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from mrpplan.model.table_options import TableOptions

if TYPE_CHECKING:
    from mrpplan.mysql.flavor import Flavor


@dataclass(frozen=True)
class Change:
    table: str  # the object's name (table, view, routine)

    kind: ClassVar[str] = "change"
    # changes with the same key and table in a row share one statement; None: alone
    joins: ClassVar[str | None] = None
    action_name: ClassVar[str] = "alter_table"  # `action`, when it is the same for all
    # its risks lose no data (a trash table keeps the rows, a key holds none, it never
    # runs): the inverse alone undoes it, no checkpoint is needed
    keeps_data: ClassVar[bool] = False

    def inverse(self) -> Change:
        raise NotImplementedError

    @property
    def action(self) -> str:
        """The step kind its statement is (a name of mrpplan.plan.kinds)."""
        return self.action_name

    @property
    def tables(self) -> tuple[str, ...]:
        """The tables whose data its statement touches (checkpoints save them)."""
        return (self.table,)

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        """The SQL of the statement this change heads (`group`: it and those joined)."""
        raise TypeError(f"cannot render {type(self).__name__}")

    def statement_algorithm(self, group: Sequence[Change], flavor: Flavor) -> str:
        """The ALGORITHM the statement this change heads runs with (n/a: not an ALTER)."""
        return "n/a"

    def statement_lock(self, group: Sequence[Change], flavor: Flavor) -> str:
        """The weakest LOCK the statement this change heads takes (n/a: not an ALTER)."""
        return "n/a"

    @property
    def destructive(self) -> bool:
        return bool(self.risks())

    @property
    def needs_checkpoint(self) -> bool:
        """Data cannot come back through the inverse alone."""
        return self.destructive and not self.keeps_data

    def risks(self) -> list[str]:
        return []

    def describe(self) -> str:
        return type(self).__name__

    def record(self) -> dict[str, object]:
        """The change as plain data for the plan file (DESIGN §3.7): its type and fields,
        model objects by their name and SQL text, so a reviewer (and `show --json`) sees
        what mrpplan decided, not only the SQL it rendered."""
        from dataclasses import fields

        data: dict[str, object] = {"type": type(self).__name__}
        for item in fields(self):
            data[item.name] = _plain(getattr(self, item.name))
        return data

    @property
    def reason(self) -> str:
        risks = self.risks()
        return self.describe() + ("; " + "; ".join(risks) if risks else "")

    def algorithm(self, flavor: Flavor, group: Sequence[Change]) -> str:
        """The fastest ALGORITHM the server takes for this change within `group`
        (measured on MariaDB 10.11: tests/schema/test_algorithm_measured.py)."""
        return "copy"

    def lock(self) -> str:
        """The weakest LOCK the server takes for this change (none | shared), whatever
        the algorithm; a COPY always takes at least SHARED (mrpplan.diff.algorithm)."""
        return "none"


T = TypeVar("T")


@dataclass(frozen=True)
class Redefinition(Change, Generic[T]):
    """One thing changed from `old` to `new` (a column, a key's name, the table options,
    a view): the inverse is the same change with the two swapped."""

    old: T
    new: T

    def inverse(self) -> Change:
        return replace(self, old=self.new, new=self.old)


@dataclass(frozen=True)
class TableClause(Change):
    """A change that is one clause of an ALTER TABLE. `options` are the table's options
    (engine, row format) where the clause runs: they decide the algorithm."""

    options: TableOptions | None = field(default=None, kw_only=True, compare=False)
    # the facts of the table after the ALTER: where the clause's inverse runs
    after_options: TableOptions | None = field(default=None, kw_only=True, compare=False)

    # Where the clause goes inside one ALTER TABLE: drops first, then column work, adds,
    # options; the server applies clauses in this order (see mrpplan.diff.ddl).
    phase: ClassVar[int] = 50
    joins: ClassVar[str | None] = "alter"

    def order(self) -> int:
        return self.phase

    def clauses(self, flavor: Flavor) -> list[str]:
        """This change as ALTER TABLE clause(s)."""
        raise NotImplementedError

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        from mrpplan.diff.alter_table import AlterTable

        clauses = tuple(c for c in group if isinstance(c, TableClause))
        named = algorithm_lock_clause(group, flavor)
        return (AlterTable(self.table, clauses).sql(flavor) + f", {named}",)

    def statement_algorithm(self, group: Sequence[Change], flavor: Flavor) -> str:
        return predicted_algorithm(group, flavor)

    def statement_lock(self, group: Sequence[Change], flavor: Flavor) -> str:
        return predicted_lock(group, flavor)


def predicted_algorithm(group: Sequence[Change], flavor: Flavor) -> str:
    """The ALGORITHM mrpplan predicts for an ALTER TABLE made of `group` (DESIGN §3.8)."""
    from mrpplan.diff.algorithm import predict_algorithm

    return predict_algorithm(group, flavor)


def predicted_lock(group: Sequence[Change], flavor: Flavor) -> str:
    """The weakest LOCK an ALTER TABLE made of `group` takes at its predicted algorithm."""
    from mrpplan.diff.algorithm import predict_lock

    return predict_lock(group, predicted_algorithm(group, flavor), flavor)


def algorithm_lock_clause(group: Sequence[Change], flavor: Flavor) -> str:
    """`ALGORITHM=INPLACE, LOCK=NONE` for the statement `group[0]` heads: what the ALTER
    may do at most, or be refused (the server never silently takes a stronger lock)."""
    head = group[0]
    algorithm, lock = head.statement_algorithm(group, flavor), head.statement_lock(group, flavor)
    return f"ALGORITHM={algorithm.upper()}, LOCK={lock.upper()}"


def undo_of(change: Change) -> Change:
    """The inverse of a change, a table clause carrying the facts of the table it runs on
    (the one the forward ALTER left): the algorithm of an undo depends on them."""
    inverse = change.inverse()
    if isinstance(change, TableClause) and isinstance(inverse, TableClause):
        after = change.after_options
        if after is not None:
            inverse = replace(inverse, options=after, after_options=change.options)
    return inverse


def _plain(value: object) -> object:
    """A field's value as JSON: model objects by name and text, sequences item by item."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    name, text = getattr(value, "name", None), getattr(value, "text", None)
    if type(value).__name__ == "Table":
        return {"name": name}  # its whole text is the step's SQL already
    if name is not None or text is not None:
        return {k: v for k, v in (("name", name), ("text", text)) if v is not None}
    return str(value)
