"""Hypothesis strategies for ALTER TABLE combinations whose ALGORITHM/LOCK depends on
the column types and table kinds involved: JSON (its CHECK json_valid), generated
VIRTUAL/STORED columns, BLOB/TEXT, spatial, long-unique `USING HASH` keys, FULLTEXT,
partitioned and system-versioned tables, DEFAULT expressions.

A table is drawn, then one to three edits of it (each one ALTER clause: add, drop,
redefine or move a column, add or drop a key or check, change a table option): the pair
is one ALTER apart, alone or combined. Each column name always has the same family of
definitions, so every pair keeps its rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import strategies as st

# name -> (definitions a column of that name may have, value of rows 1 and 2)
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, str]]] = {
    "n": (
        ("INT", "INT NOT NULL DEFAULT 0", "INT DEFAULT 5", "INT DEFAULT (`id` + 1)", "BIGINT"),
        ("1", "2"),
    ),
    "s": (
        (
            "VARCHAR(40)",
            "VARCHAR(60)",
            "VARCHAR(40) DEFAULT (concat('x', `id`))",
            "VARCHAR(40) NOT NULL DEFAULT ''",
        ),
        ("'a'", "'b'"),
    ),
    "j": (
        ("JSON", "JSON DEFAULT '{}'", "JSON DEFAULT (json_object())", "JSON NOT NULL DEFAULT '[]'"),
        ("'{}'", "'[1]'"),
    ),
    "t": (("TEXT", "TEXT DEFAULT 'none'", "MEDIUMTEXT"), ("'one'", "'two'")),
    "bl": (("BLOB", "BLOB DEFAULT (0x00)", "LONGBLOB"), ("'x'", "'y'")),
    "pt": (("POINT NOT NULL DEFAULT POINT(0, 0)",), ("POINT(1, 2)", "POINT(3, 4)")),
    "gv": (("INT AS (`id` + 1) VIRTUAL", "INT AS (`id` + 2) VIRTUAL"), ("DEFAULT", "DEFAULT")),
    "gs": (("INT AS (`id` * 2) STORED", "INT AS (`id` * 3) STORED"), ("DEFAULT", "DEFAULT")),
    "ts": (
        (
            "DATETIME DEFAULT CURRENT_TIMESTAMP",
            "DATETIME",
            "DATETIME NOT NULL DEFAULT '2020-01-01 00:00:00'",
        ),
        ("'2021-01-01'", "'2022-01-01'"),
    ),
}
# name -> (definition, columns it needs, allowed on a partitioned table)
KEYS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "k_n": ("KEY `k_n` (`n`)", ("n",), True),
    "u_n": ("UNIQUE KEY `u_n` (`n`)", ("n",), False),
    "k_ns": ("KEY `k_ns` (`n`, `s`)", ("n", "s"), True),
    "uh_t": ("UNIQUE KEY `uh_t` (`t`) USING HASH", ("t",), False),
    # an explicit USING HASH on a short VARCHAR (a copying ALTER turns it into BTREE
    # unless mrpplan re-creates it): used by an example, not drawn (NOT_DRAWN)
    "uh_s": ("UNIQUE KEY `uh_s` (`s`) USING HASH", ("s",), False),
    "ft_t": ("FULLTEXT KEY `ft_t` (`t`)", ("t",), False),
    "ft_s": ("FULLTEXT KEY `ft_s` (`s`)", ("s",), False),
    "sp_pt": ("SPATIAL KEY `sp_pt` (`pt`)", ("pt",), False),
    "k_gv": ("KEY `k_gv` (`gv`)", ("gv",), True),
    "k_gs": ("KEY `k_gs` (`gs`)", ("gs",), True),
    "k_t": ("KEY `k_t` (`t`(10))", ("t",), True),
}
NOT_DRAWN = frozenset({"uh_s"})
CHECKS = {"ck_n": ("CONSTRAINT `ck_n` CHECK (`n` > -100)", "n")}
OPTIONS = {
    "comment": ("", " COMMENT='parts'"),
    "row_format": ("", " ROW_FORMAT=COMPACT"),
    "checksum": ("", " CHECKSUM=1"),
}
KINDS = ("plain", "partitioned", "versioned")


@dataclass(frozen=True)
class AlterTable:
    kind: str  # plain | partitioned | versioned
    columns: tuple[tuple[str, int], ...]  # (name, index into COLUMNS[name][0]) in order
    keys: frozenset[str]
    checks: frozenset[str]
    options: tuple[tuple[str, int], ...]  # (option, index into OPTIONS[option])

    def ddl(self, name: str = "t") -> str:
        lines = ["`id` INT NOT NULL"]
        lines += [f"`{c}` {COLUMNS[c][0][i]}" for c, i in self.columns]
        lines.append("PRIMARY KEY (`id`)")
        lines += [KEYS[k][0] for k in sorted(self.keys)]
        lines += [CHECKS[k][0] for k in sorted(self.checks)]
        text = f"CREATE TABLE `{name}` (\n  " + ",\n  ".join(lines) + "\n) ENGINE=InnoDB"
        text += "".join(OPTIONS[o][i] for o, i in self.options)
        if self.kind == "versioned":
            text += " WITH SYSTEM VERSIONING"
        if self.kind == "partitioned":
            text += " PARTITION BY HASH (`id`) PARTITIONS 2"
        return text

    def insert(self, name: str = "t") -> str:
        stored = [c for c, _ in self.columns if c not in ("gv", "gs")]
        names = ", ".join(f"`{c}`" for c in ["id", *stored])
        rows = [
            "(" + ", ".join([str(r + 1), *(COLUMNS[c][1][r] for c in stored)]) + ")" for r in (0, 1)
        ]
        return f"INSERT INTO `{name}` ({names}) VALUES " + ", ".join(rows)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.columns)


def _allowed_keys(kind: str, names: tuple[str, ...], *, drawn: bool = True) -> list[str]:
    return [
        k
        for k, (_, cols, partitioned_ok) in KEYS.items()
        if set(cols) <= set(names)
        and (kind != "partitioned" or partitioned_ok)
        and not (drawn and k in NOT_DRAWN)
    ]


def _valid(table: AlterTable) -> AlterTable:
    """Drop the keys and checks whose columns are gone (and spatial keys on a partitioned
    table, which the server refuses)."""
    allowed = _allowed_keys(table.kind, table.names, drawn=False)
    keys = frozenset(k for k in table.keys if k in allowed)
    checks = frozenset(c for c in table.checks if CHECKS[c][1] in table.names)
    if "gv" in table.names:  # not modelled yet: a CHECK beside a VIRTUAL column changes
        checks = frozenset()  # which column drops are instant
        if table.kind == "versioned":  # MariaDB 10.11 bug: its ALTERs fail with errno
            keys = frozenset(k for k in keys if not k.startswith("ft_"))  # 1034 (corrupt)
    return replace(table, keys=keys, checks=checks)


@st.composite
def alter_tables(draw: st.DrawFn) -> AlterTable:
    kind = draw(st.sampled_from(KINDS))
    names = [c for c in COLUMNS if draw(st.booleans())]
    if kind == "partitioned":
        names = [c for c in names if c != "pt"]  # no spatial columns' keys on partitions
    columns = tuple((c, draw(st.integers(0, len(COLUMNS[c][0]) - 1))) for c in names)
    allowed = _allowed_keys(kind, tuple(names))
    keys = frozenset(k for k in allowed if draw(st.integers(0, 2)) == 0)
    checks = frozenset(c for c in CHECKS if CHECKS[c][1] in names and draw(st.booleans()))
    options = tuple((o, draw(st.integers(0, 1))) for o in OPTIONS)
    return _valid(AlterTable(kind, columns, keys, checks, options))


EDITS = ("add_column", "drop_column", "redefine", "move", "add_key", "drop_key", "check", "option")


@st.composite
def edit(draw: st.DrawFn, table: AlterTable) -> AlterTable:
    """One ALTER clause applied to `table` (or the table unchanged when it cannot be)."""
    what = draw(st.sampled_from(EDITS))
    cols = list(table.columns)
    names = table.names
    if what == "add_column":
        missing = [
            c for c in COLUMNS if c not in names and not (table.kind == "partitioned" and c == "pt")
        ]
        if missing:
            c = draw(st.sampled_from(missing))
            at = draw(st.integers(0, len(cols)))
            cols.insert(at, (c, draw(st.integers(0, len(COLUMNS[c][0]) - 1))))
    elif what == "drop_column" and cols:
        cols.pop(draw(st.integers(0, len(cols) - 1)))
    elif what == "redefine" and cols:
        i = draw(st.integers(0, len(cols) - 1))
        c, _ = cols[i]
        cols[i] = (c, draw(st.integers(0, len(COLUMNS[c][0]) - 1)))
    elif what == "move" and len(cols) > 1:
        moved = cols.pop(draw(st.integers(0, len(cols) - 1)))
        cols.insert(draw(st.integers(0, len(cols))), moved)
    elif what in ("add_key", "drop_key"):
        allowed = _allowed_keys(table.kind, names)
        pool = [k for k in allowed if (k in table.keys) == (what == "drop_key")]
        if pool:
            k = draw(st.sampled_from(pool))
            return replace(table, keys=table.keys ^ {k})
    elif what == "check":
        pool = [c for c in CHECKS if CHECKS[c][1] in names]
        if pool:
            return replace(table, checks=table.checks ^ {draw(st.sampled_from(pool))})
    elif what == "option":
        o = draw(st.sampled_from(list(OPTIONS)))
        return replace(table, options=tuple((k, 1 - i if k == o else i) for k, i in table.options))
    return _valid(replace(table, columns=tuple(cols)))


@st.composite
def alter_pairs(draw: st.DrawFn) -> tuple[AlterTable, AlterTable]:
    """A table and the same table after one to three clauses."""
    a = draw(alter_tables())
    b = a
    for _ in range(draw(st.integers(1, 3))):
        b = draw(edit(b))
    return a, b
