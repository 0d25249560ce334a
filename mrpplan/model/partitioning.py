"""Partitioning of a table (RANGE, LIST, HASH, KEY, their COLUMNS forms)."""

from __future__ import annotations

from dataclasses import dataclass

from mrpplan.model.layout import join_partition_tail


@dataclass(frozen=True)
class Partition:
    """`definition` is the server's text: "PARTITION `p0` VALUES LESS THAN (10) ENGINE = InnoDB"."""

    name: str
    definition: str


@dataclass(frozen=True)
class Partitioning:
    """`method` is RANGE | LIST | HASH | KEY (COLUMNS forms: RANGE/LIST with `columns`);
    `by` is the server's clause after PARTITION BY, e.g. "RANGE (year(`d`))"; `count`
    is PARTITIONS N when the partitions are not listed (HASH, KEY)."""

    method: str
    by: str
    partitions: tuple[Partition, ...] = ()
    count: int | None = None
    linear: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.partitions)

    @property
    def is_listed(self) -> bool:
        return self.method in ("RANGE", "LIST")

    def clause(self) -> str:
        """`PARTITION BY ...` as one statement clause (for ALTER TABLE)."""
        text = f"PARTITION BY {self.by}"
        if self.count is not None:
            text += f" PARTITIONS {self.count}"
        if self.partitions:
            text += " (" + ", ".join(p.definition for p in self.partitions) + ")"
        return text

    def render(self) -> str:
        """The partition tail of SHOW CREATE TABLE."""
        header = [" PARTITION BY " + self.by]
        if self.count is not None:
            header.append(f"PARTITIONS {self.count}")
        return join_partition_tail(header, [p.definition for p in self.partitions])
