"""One ALTER TABLE statement made of clauses that render themselves (Atlas's
ModifyTable{Changes}, Skeema's TableAlterClause): its SQL, its reverse and its algorithm.

The server drops first and then places positioned columns in clause order: clauses are
sorted by their phase, and columns are placed after their target predecessor, so the
ones whose predecessor is itself being placed come after it (this also makes the
reversed statement come out right).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mrpplan.diff.algorithm import predict_algorithm
from mrpplan.diff.change import TableClause, undo_of
from mrpplan.diff.clauses import AddColumn, ModifyColumn, SetSystemVersioning
from mrpplan.mysql.flavor import Flavor
from mrpplan.mysql.quote import ident

# ALTERs of a system-versioned table are refused unless history is kept (error 4119).
KEEP_HISTORY = "SET STATEMENT system_versioning_alter_history=KEEP FOR "
_PLACEMENT = 60


@dataclass(frozen=True)
class AlterTable:
    table: str
    clauses: tuple[TableClause, ...]

    def inverse(self) -> AlterTable:
        return AlterTable(self.table, tuple(undo_of(c) for c in reversed(self.clauses)))  # type: ignore[misc]

    def sql(self, flavor: Flavor) -> str:
        keep = KEEP_HISTORY if self.versioned else ""
        return f"{keep}ALTER TABLE {ident(self.table)} " + ", ".join(self.clause_texts(flavor))

    def algorithm(self, flavor: Flavor) -> str:
        return predict_algorithm(self.clauses, flavor)

    @property
    def versioned(self) -> bool:
        return any(
            isinstance(c, SetSystemVersioning) or (c.options is not None and c.options.versioned)
            for c in self.clauses
        )

    def clause_texts(self, flavor: Flavor) -> list[str]:
        phases = sorted({c.order() for c in self.clauses})
        out: list[str] = []
        for phase in phases:
            members = [c for c in self.clauses if c.order() == phase]
            if phase == _PLACEMENT:
                members = _placement_order(members)
            for c in members:
                out += c.clauses(flavor)
        return out


def _placement_order(placed: Sequence[TableClause]) -> list[TableClause]:
    pending = list(placed)
    names = {_target_name(c) for c in pending}
    done: set[str] = set()
    ordered: list[TableClause] = []
    while pending:
        ready = [c for c in pending if _after(c) is None or _after(c) not in names - done]
        if not ready:  # cannot happen for a consistent diff; keep the given order
            ready = pending[:1]
        for c in ready:
            ordered.append(c)
            done.add(_target_name(c))
            pending.remove(c)
    return ordered


def _target_name(c: TableClause) -> str:
    if isinstance(c, AddColumn):
        return c.column.name
    assert isinstance(c, ModifyColumn)
    return c.new.name


def _after(c: TableClause) -> str | None:
    assert isinstance(c, (AddColumn, ModifyColumn))
    return c.after
