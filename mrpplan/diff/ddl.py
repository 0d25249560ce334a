"""Changes -> MariaDB/MySQL DDL, asked of the changes themselves. Reverse SQL is the
rendering of the inverted changes in reverse order (DESIGN §4.3), never written by hand.

Consecutive changes of one table that join (the clauses of one ALTER TABLE, foreign keys
dropped or added together: `Change.joins`) share one statement; foreign keys are dropped
and added in statements of their own (the differ orders them around everything else).
Every ALTER TABLE names the ALGORITHM and LOCK mrpplan predicts (DESIGN §3.8): when the
prediction is wrong the server refuses the statement instead of silently taking a
stronger lock (blocking writes for a whole table copy), and nothing of it runs.

A `ChangeGroup` is a view of the changes that share one statement, not a record: the
plan makes its step draft from it (mrpplan.plan.schema_steps), the desired schema its
statement effects (mrpplan.desired.trace, below `plan`, so it cannot use plan's Step).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from mrpplan.diff.change import Change, undo_of
from mrpplan.diff.changes import DropTable, TrashTable
from mrpplan.mysql.flavor import Flavor
from mrpplan.mysql.quote import fitted_name


@dataclass(frozen=True)
class ChangeGroup:
    """Changes that share one statement; its head (the first) renders it."""

    changes: tuple[Change, ...]
    flavor: Flavor

    @property
    def head(self) -> Change:
        return self.changes[0]

    @property
    def action(self) -> str:
        return self.head.action

    @property
    def object(self) -> str:
        return self.head.table

    @cached_property
    def sql(self) -> tuple[str, ...]:
        return self.head.statement(self.changes, self.flavor)

    @cached_property
    def reverse_sql(self) -> tuple[str, ...]:
        inverse = [undo_of(c) for c in reversed(self.changes)]
        return inverse[0].statement(inverse, self.flavor)

    @property
    def destructive(self) -> bool:
        return any(c.destructive for c in self.changes)

    @property
    def needs_checkpoint(self) -> bool:
        return any(c.needs_checkpoint for c in self.changes)

    @property
    def reason(self) -> str:
        return "; ".join(c.reason for c in self.changes)

    @property
    def kind(self) -> str:
        """add | change | destroy: destroy if any change destroys, add if all add."""
        kinds = {c.kind for c in self.changes}
        return "destroy" if "destroy" in kinds else ("add" if kinds == {"add"} else "change")

    @property
    def tables(self) -> tuple[str, ...]:
        return self.head.tables

    @cached_property
    def algorithm(self) -> str:  # instant | nocopy | inplace | copy | n/a
        return self.head.statement_algorithm(self.changes, self.flavor)

    @cached_property
    def lock(self) -> str:  # none | shared | exclusive | n/a: the weakest LOCK= it takes
        return self.head.statement_lock(self.changes, self.flavor)


def render_changes(
    changes: Sequence[Change],
    flavor: Flavor,
    *,
    trash_name: Callable[[str], str] | None = None,
) -> list[ChangeGroup]:
    """One ChangeGroup per run of consecutive changes that share one statement; with
    `trash_name`, dropped tables are renamed to trash instead."""
    if trash_name is not None:
        changes = [
            TrashTable(c.table, c.definition, trash_name(c.table))
            if isinstance(c, DropTable)
            else c
            for c in changes
        ]
    return [ChangeGroup(tuple(group), flavor) for group in _groups(changes)]


def _groups(changes: Sequence[Change]) -> list[list[Change]]:
    groups: list[list[Change]] = []
    last: tuple[str, str] | None = None
    for change in changes:
        key = None if change.joins is None else (change.joins, change.table)
        if key is not None and key == last:
            groups[-1].append(change)
        else:
            groups.append([change])
        last = key
    return groups


def trash_table_name(table: str, timestamp: str) -> str:
    """`_mrpplan_trash_<ts>_<table>`, shortened with a hash to fit 64 characters."""
    return fitted_name(f"_mrpplan_trash_{timestamp}_", table)
