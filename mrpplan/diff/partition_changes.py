"""Partitioning changes: each renders its own statement and reverse and predicts its
algorithm (a partition operation is a statement of its own: the server does not combine
it with other ALTER clauses, and refuses an ALGORITHM clause on ADD/DROP/REORGANIZE/
COALESCE PARTITION).

Data is kept wherever the server can keep it: partitions added or split, RANGE partitions
merged into their neighbour and HASH/KEY partition counts are REORGANIZE / ADD / COALESCE,
which move rows (the server refuses when a row would fit no partition). Only removing
partitions whose rows have nowhere to go (the last RANGE partitions, LIST values no longer
listed) is a DROP PARTITION, and that is destructive.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from mrpplan.diff.alter_table import KEEP_HISTORY
from mrpplan.diff.change import algorithm_lock_clause
from mrpplan.diff.changes import Change
from mrpplan.model.partitioning import Partition, Partitioning
from mrpplan.mysql.quote import ident

if TYPE_CHECKING:
    from mrpplan.mysql.flavor import Flavor


def _names(parts: tuple[Partition, ...]) -> str:
    return ",".join("`" + p.name.replace("`", "``") + "`" for p in parts)


def _defs(parts: tuple[Partition, ...]) -> str:
    return "(" + ", ".join(p.definition for p in parts) + ")"


@dataclass(frozen=True)
class PartitionOp:
    """One partition statement's clause and what it does to rows."""

    clause: str
    algorithm: str  # instant | nocopy | inplace | copy
    dropped: tuple[str, ...] = ()  # partitions whose rows are deleted


def partition_op(old: Partitioning | None, new: Partitioning | None) -> PartitionOp:
    """The single statement clause that turns `old` into `new`."""
    if new is None:
        return PartitionOp("REMOVE PARTITIONING", "copy")
    if (
        old is None
        or (old.by, old.linear, old.subpartitioning) != (new.by, new.linear, new.subpartitioning)
        or new.method == "SYSTEM_TIME"  # its history partitions: the server re-partitions
    ):
        return PartitionOp(new.clause(), "copy")
    if not new.is_listed:
        return _spread(old, new)
    a, b = old.partitions, new.partitions
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    old_mid, new_mid = a[start : len(a) - end], b[start : len(b) - end]
    following = a[len(a) - end :]
    if not old_mid and not following:
        return PartitionOp(f"ADD PARTITION {_defs(new_mid)}", "inplace")
    if not new_mid and (not following or new.method == "LIST"):
        return PartitionOp(
            f"DROP PARTITION {_names(old_mid)}", "inplace", tuple(p.name for p in old_mid)
        )
    if not old_mid or not new_mid:  # a split or merge with the next partition keeps rows
        old_mid, new_mid = old_mid + following[:1], new_mid + following[:1]
    if new.method == "RANGE" and not _same_range(old_mid, new_mid, last=not following):
        return PartitionOp(new.clause(), "copy")  # REORGANIZE may not shrink (errno 1520)
    return PartitionOp(f"REORGANIZE PARTITION {_names(old_mid)} INTO {_defs(new_mid)}", "copy")


def _spread(old: Partitioning, new: Partitioning) -> PartitionOp:
    """HASH/KEY: partitions counted (PARTITIONS N) or named in a list. Rows are spread by
    the hash, so any change moves rows and none is lost: partitions added at the end are
    ADD PARTITION, the last ones removed COALESCE PARTITION (it takes the last ones);
    anything else (names, options, counted <-> named) partitions the table anew."""
    a, b = old.partitions, new.partitions
    if not a and not b:
        diff = (new.count or 1) - (old.count or 1)
        if diff > 0:
            return PartitionOp(f"ADD PARTITION PARTITIONS {diff}", "copy")
        return PartitionOp(f"COALESCE PARTITION {-diff}", "copy")
    if a and b and len(b) > len(a) and b[: len(a)] == a:
        return PartitionOp(f"ADD PARTITION {_defs(b[len(a) :])}", "copy")
    if a and b and len(b) < len(a) and a[: len(b)] == b:
        return PartitionOp(f"COALESCE PARTITION {len(a) - len(b)}", "copy")
    return PartitionOp(new.clause(), "copy")


_UPPER = re.compile(r"VALUES LESS THAN (.*?)(?: ENGINE| COMMENT| DATA |\n|$)")
_ALL_MAX = re.compile(r"\(?\s*MAXVALUE(?:\s*,\s*MAXVALUE)*\s*\)?")


def _same_range(old: tuple[Partition, ...], new: tuple[Partition, ...], *, last: bool) -> bool:
    """The server reorganizes RANGE partitions only into the range they cover, except that
    the last partition may grow (to MAXVALUE here: other bounds are not compared)."""
    before, after = (_UPPER.search(p[-1].definition) for p in (old, new))
    if before is None or after is None:
        return False
    if before.group(1) == after.group(1):
        return True
    return last and bool(_ALL_MAX.fullmatch(after.group(1)))


@dataclass(frozen=True)
class AlterPartitioning(Change):
    """old -> new partitioning of one table (None = not partitioned)."""

    old: Partitioning | None
    new: Partitioning | None
    versioned: bool = False  # the table is system-versioned: ALTER needs KEEP

    kind: ClassVar[str] = "change"

    def inverse(self) -> Change:
        return AlterPartitioning(self.table, self.new, self.old, self.versioned)

    @property
    def op(self) -> PartitionOp:
        return partition_op(self.old, self.new)

    def describe(self) -> str:
        return f"partitioning of `{self.table}`: {self.op.clause}"

    def lock(self) -> str:
        """Re-partitioning copies under SHARED (measured); partition management takes
        no LOCK clause (n/a)."""
        return "shared" if self.op.clause.startswith(("PARTITION BY", "REMOVE")) else "n/a"

    def statement(self, group: Sequence[Change], flavor: Flavor) -> tuple[str, ...]:
        keep = KEEP_HISTORY if self.versioned else ""
        table = ident(self.table)
        if self.lock() == "n/a":  # partition management takes no ALGORITHM/LOCK clause
            return (f"{keep}ALTER TABLE {table} {self.op.clause}",)
        # PARTITION BY / REMOVE PARTITIONING end the statement: the clause goes first
        named = algorithm_lock_clause(group, flavor)
        return (f"{keep}ALTER TABLE {table} {named} {self.op.clause}",)

    def statement_algorithm(self, group: Sequence[Change], flavor: Flavor) -> str:
        return self.op.algorithm

    def statement_lock(self, group: Sequence[Change], flavor: Flavor) -> str:
        return self.lock()

    def risks(self) -> list[str]:
        dropped = self.op.dropped
        if not dropped:
            return []
        names = ", ".join(f"`{n}`" for n in dropped)
        return [f"the rows in partition {names} of `{self.table}` are deleted"]
