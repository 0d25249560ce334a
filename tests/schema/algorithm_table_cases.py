"""The ALTERs bench/measure_algorithm_table.py measures to write
mrpplan/diff/algorithm_table.json, and test_algorithm_property.py draws from: every clause
kind alone and in pairs, for each column family and key kind of algorithm_strategies.py,
on plain, partitioned and system-versioned tables, each on the smallest table that holds
the clause (`id`, `n` and the column it touches)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace

from algorithm_strategies import (
    CHECKS,
    COLUMNS,
    KEYS,
    KINDS,
    OPTIONS,
    AlterTable,
    _allowed_keys,
    _valid,
)

NO_OPTIONS = tuple((o, 0) for o in OPTIONS)


def table(kind: str, cols: list[tuple[str, int]], keys: set[str] | None = None) -> AlterTable:
    return _valid(AlterTable(kind, tuple(cols), frozenset(keys or ()), frozenset(), NO_OPTIONS))


def singles(kind: str) -> Iterator[tuple[AlterTable, AlterTable]]:
    """Every clause alone, on the smallest table that holds it."""
    for c, (defs, _) in COLUMNS.items():
        if kind == "partitioned" and c == "pt":
            continue
        base = [] if c == "n" else [("n", 0)]
        for i in range(len(defs)):
            with_c = [*base, (c, i)]
            yield table(kind, base), table(kind, with_c)  # add last
            yield table(kind, with_c), table(kind, base)  # drop
            if base:
                yield table(kind, base), table(kind, [(c, i), *base])  # add first
                yield table(kind, with_c), table(kind, [(c, i), *base])  # move
            for j in range(len(defs)):
                if j != i:
                    yield table(kind, with_c), table(kind, [*base, (c, j)])  # redefine
                    if base:  # redefine and move: one MODIFY
                        yield table(kind, with_c), table(kind, [(c, j), *base])
        for k in _allowed_keys(kind, ("n", c)):
            if c in KEYS[k][1] and set(KEYS[k][1]) <= {"n", c}:
                for i in range(len(defs)):
                    with_c = [*base, (c, i)]
                    yield table(kind, with_c), table(kind, with_c, {k})
                    yield table(kind, with_c, {k}), table(kind, with_c)
                    yield table(kind, with_c, {k}), table(kind, base)  # the column with it
    both = [("n", 0), ("s", 0), ("t", 0)]
    for k in _allowed_keys(kind, ("n", "s", "t")):
        yield table(kind, both), table(kind, both, {k})
    if "ft_s" in _allowed_keys(kind, ("s", "t")):  # a second FULLTEXT key
        yield table(kind, both, {"ft_s"}), table(kind, both, {"ft_s", "ft_t"})
        yield table(kind, both, {"ft_s", "ft_t"}), table(kind, both, {"ft_s"})
    for name, (_, col) in CHECKS.items():
        plain = table(kind, [(col, 0)])
        yield plain, replace(plain, checks=frozenset({name}))
        yield replace(plain, checks=frozenset({name})), plain
    for option in OPTIONS:
        plain = table(kind, [("n", 0)])
        other = tuple((o, 1 if o == option else 0) for o in OPTIONS)
        yield plain, replace(plain, options=other)
        yield replace(plain, options=other), plain
    if kind == "plain":
        for cols in ([("n", 0)], [("n", 0), ("gv", 0)], [("n", 0), ("t", 0)]):
            yield table("plain", cols), table("versioned", cols)
            yield table("versioned", cols), table("plain", cols)


def pairs(kind: str) -> Iterator[tuple[AlterTable, AlterTable]]:
    """Two clauses in one ALTER: an edit of each family's column beside another edit."""
    for c, (defs, _) in COLUMNS.items():
        if c == "n" or (kind == "partitioned" and c == "pt"):
            continue
        start = [("n", 0), (c, 0)]
        edits = {
            "add s": lambda t: replace(t, columns=(*t.columns, ("s", 0))),
            "drop n": lambda t: replace(t, columns=tuple(x for x in t.columns if x[0] != "n")),
            "redefine": lambda t, c=c, d=defs: replace(
                t, columns=tuple((x, (i + 1) % len(d) if x == c else i) for x, i in t.columns)
            ),
            "move": lambda t: replace(t, columns=tuple(reversed(t.columns))),
            "key n": lambda t: replace(t, keys=t.keys | {"k_n"}),
            "comment": lambda t: replace(t, options=(("comment", 1), *t.options[1:])),
        }
        for k in _allowed_keys(kind, ("n", c)):
            if KEYS[k][1] == (c,):
                edits[f"key {k}"] = lambda t, k=k: replace(t, keys=t.keys | {k})
        if c in ("s", "ts", "t", "j", "bl"):
            del edits["add s"]
        for (_, e1), (_, e2) in itertools.combinations(edits.items(), 2):
            a = table(kind, start)
            b = _valid(e2(e1(a)))
            if b != a:
                yield a, b
                yield b, a


def all_cases() -> list[tuple[AlterTable, AlterTable]]:
    """Every measured pair once (in a stable order)."""
    todo = [p for kind in KINDS for p in (*singles(kind), *pairs(kind))]
    unique = {(a.ddl() + a.kind, b.ddl() + b.kind): (a, b) for a, b in todo if a != b}
    return list(unique.values())
