"""Partitioning of a table (RANGE, LIST, HASH, KEY, their COLUMNS forms, SYSTEM_TIME, and
subpartitions)."""

from __future__ import annotations

from dataclasses import dataclass, field

from mrpplan.model.layout import join_partition_tail


@dataclass(frozen=True)
class Partition:
    """`definition` is the server's text: "PARTITION `p0` VALUES LESS THAN (10) ENGINE = InnoDB"."""

    name: str
    definition: str


@dataclass(frozen=True)
class Partitioning:
    """`method` is RANGE | LIST | HASH | KEY | SYSTEM_TIME (COLUMNS forms: RANGE/LIST with
    `columns`); `by` is the server's clause after PARTITION BY, e.g. "RANGE (year(`d`))";
    `count` is PARTITIONS N when the partitions are not listed (HASH, KEY, SYSTEM_TIME);
    `subpartitioning` the SUBPARTITION BY / SUBPARTITIONS lines as the server prints them.

    `starts` is the STARTS of a SYSTEM_TIME INTERVAL. The server fills it in with the day
    the table was created when the author left it out, so it is not compared: a desired
    schema built today would otherwise differ from the same table created last month."""

    method: str
    by: str
    partitions: tuple[Partition, ...] = ()
    count: int | None = None
    linear: bool = False
    subpartitioning: tuple[str, ...] = ()
    starts: str = field(default="", compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.partitions)

    @property
    def is_listed(self) -> bool:
        return self.method in ("RANGE", "LIST")

    @property
    def by_text(self) -> str:
        return f"{self.by} STARTS {self.starts}" if self.starts else self.by

    def clause(self) -> str:
        """`PARTITION BY ...` as one statement clause (for ALTER TABLE)."""
        text = f"PARTITION BY {self.by_text}"
        if self.count is not None:
            text += f" PARTITIONS {self.count}"
        for line in self.subpartitioning:
            text += f" {line}"
        if self.partitions:
            text += " (" + ", ".join(p.definition for p in self.partitions) + ")"
        return text

    def render(self) -> str:
        """The partition tail of SHOW CREATE TABLE."""
        header = [" PARTITION BY " + self.by_text]
        if self.count is not None:
            header.append(f"PARTITIONS {self.count}")
        header.extend(self.subpartitioning)
        return join_partition_tail(header, [p.definition for p in self.partitions])
