"""Hypothesis strategies for tables using MariaDB features: with or without a primary
key (then UNIQUE NOT NULL keys in a random order decide the clustered index), partitions
(RANGE, LIST, HASH, KEY, RANGE COLUMNS), spatial, INET4/INET6/UUID and COMPRESSED
columns, IGNORED keys, page compression, CHECKSUM and system versioning.

Each column name always has the same type, so any two generated tables are one diff
apart that keeps the rows: the rows (ids 1 and 5) always fit the first partition,
which every layout keeps.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

# name -> (type, value of rows 1 and 5); the same name is always the same type
CATALOG: dict[str, tuple[str, str]] = {
    "qty": ("INT NOT NULL DEFAULT 0", "7"),
    "ip4": ("INET4", "'10.0.0.1'"),
    "ip6": ("INET6 NOT NULL DEFAULT '::'", "'fe80::1'"),
    "uid": ("UUID", "'123e4567-e89b-12d3-a456-426614174000'"),
    "spot": ("POINT NOT NULL DEFAULT POINT(0, 0)", "POINT(1, 2)"),
    "shape": ("GEOMETRY", "POINT(3, 4)"),
    "note": ("TEXT{c}", "'a note'"),
    "blob": ("BLOB{c}", "'bytes'"),
    "code": ("VARCHAR(20){c}", "'c'"),
}
PARTITIONS = {
    "RANGE (`id`)": [
        "VALUES LESS THAN (10)",
        "VALUES LESS THAN (100)",
        "VALUES LESS THAN (1000)",
        "VALUES LESS THAN MAXVALUE",
    ],
    "RANGE COLUMNS(`id`)": [
        "VALUES LESS THAN (10)",
        "VALUES LESS THAN (100)",
        "VALUES LESS THAN (MAXVALUE)",
    ],
    "LIST (`id`)": ["VALUES IN (1,5)", "VALUES IN (7,8)", "VALUES IN (9)", "VALUES IN (11)"],
    "RANGE (`id`) SUBPARTITION BY HASH (`id`) SUBPARTITIONS 2": [
        "VALUES LESS THAN (10)",
        "VALUES LESS THAN (100)",
        "VALUES LESS THAN MAXVALUE",
    ],
}


@dataclass(frozen=True)
class FeatureTable:
    columns: tuple[str, ...]
    compressed: frozenset[str]
    primary_key: bool
    uniques: tuple[str, ...]  # UNIQUE KEY u_<col> on the NOT NULL columns a, b, c
    keys: tuple[tuple[str, bool], ...]  # (column, ignored)
    spatial: bool
    partition_by: str | None
    partitions: tuple[int, ...] | int  # indexes into PARTITIONS[by], or HASH/KEY count
    options: tuple[str, ...]
    versioned: bool

    def ddl(self, name: str = "t") -> str:
        lines = ["`id` INT NOT NULL"]
        if not self.primary_key:
            lines += ["`a` INT NOT NULL", "`b` INT NOT NULL", "`c` INT NOT NULL"]
        for col in self.columns:
            text = CATALOG[col][0].replace("{c}", " COMPRESSED" if col in self.compressed else "")
            lines.append(f"`{col}` {text}")
        if self.primary_key:
            lines.append("PRIMARY KEY (`id`)")
        lines += [f"UNIQUE KEY `u_{c}` (`{c}`)" for c in self.uniques]
        lines += [f"KEY `k_{c}` (`{c}`){' IGNORED' if ign else ''}" for c, ign in self.keys]
        if self.spatial:
            lines.append("SPATIAL KEY `sp` (`spot`)")
        text = f"CREATE TABLE `{name}` (\n  " + ",\n  ".join(lines) + "\n) ENGINE=InnoDB"
        text += "".join(f" {o}" for o in self.options)
        if self.versioned:
            text += " WITH SYSTEM VERSIONING"
        if self.partition_by is not None:
            text += f" PARTITION BY {self.partition_by}"
            if isinstance(self.partitions, int):
                text += f" PARTITIONS {self.partitions}"
            else:
                defs = PARTITIONS[self.partition_by]
                text += " (" + ", ".join(f"PARTITION p{i} {defs[i]}" for i in self.partitions)
                text += ")"
        return text

    def insert(self, name: str = "t") -> str:
        cols = ["id", *([] if self.primary_key else ["a", "b", "c"]), *self.columns]
        rows = []
        for i in (1, 5):
            values = [str(i), *([] if self.primary_key else [str(i), str(i * 2), str(i * 3)])]
            values += [CATALOG[c][1] for c in self.columns]
            rows.append("(" + ", ".join(values) + ")")
        names = ", ".join(f"`{c}`" for c in cols)
        return f"INSERT INTO `{name}` ({names}) VALUES " + ", ".join(rows)


@st.composite
def feature_tables(draw: st.DrawFn) -> FeatureTable:
    primary_key = draw(st.booleans())
    partition_by: str | None = None
    partitions: tuple[int, ...] | int = ()
    if primary_key and draw(st.booleans()):
        partition_by = draw(st.sampled_from([*PARTITIONS, "HASH (`id`)", "KEY (`id`)"]))
        if partition_by in PARTITIONS:
            count = len(PARTITIONS[partition_by])
            rest = draw(st.lists(st.integers(1, count - 1), unique=True, max_size=count - 1))
            partitions = (0, *sorted(rest))
        else:
            partitions = draw(st.integers(1, 4))
    columns = tuple(
        c for c in CATALOG if draw(st.booleans()) and not (partition_by and c in ("spot", "shape"))
    )
    compressible = [c for c in columns if c in ("note", "blob", "code")]
    compressed = frozenset(c for c in compressible if draw(st.booleans()))
    uniques: tuple[str, ...] = ()
    if not primary_key:
        uniques = tuple(draw(st.permutations(["a", "b", "c"]))[: draw(st.integers(0, 3))])
    indexable = [
        c for c in columns if c in ("qty", "ip4", "ip6", "uid", "code") and c not in compressed
    ]
    keys = tuple((c, draw(st.booleans())) for c in indexable if draw(st.booleans()))
    spatial = "spot" in columns and draw(st.booleans())
    options: list[str] = []
    if draw(st.booleans()):
        options.append("PAGE_COMPRESSED=1")
        if draw(st.booleans()):
            options.append("PAGE_COMPRESSION_LEVEL=3")
    if draw(st.booleans()):
        options.append("CHECKSUM=1")
    versioned = draw(st.booleans()) and not spatial
    return FeatureTable(
        columns,
        compressed,
        primary_key,
        uniques,
        keys,
        spatial,
        partition_by,
        partitions,
        tuple(options),
        versioned,
    )


@st.composite
def feature_pairs(draw: st.DrawFn) -> tuple[FeatureTable, FeatureTable]:
    """Two tables a diff can turn into each other with the rows in place."""
    a = draw(feature_tables())
    b = draw(feature_tables())
    if a.primary_key != b.primary_key:  # switching PK vs clustered unique keys is not this test
        b = draw(feature_tables().filter(lambda t: t.primary_key == a.primary_key))
    return a, b
