"""Measure mrpplan/diff/algorithm_table.json on the sandbox server.

Run:  .venv/bin/python bench/measure_algorithm_table.py [--kinds plain,partitioned,versioned]
      [--no-pairs] [--check]

Generates every clause kind alone (add, drop, redefine, move a column; add, drop a key;
a CHECK; a table option; system versioning) and in pairs, for each column family of
tests/schema/algorithm_strategies.py (JSON with its CHECK, generated VIRTUAL/STORED,
BLOB/TEXT, spatial, DEFAULT expressions, timestamps) and key kind (long-unique `USING HASH`,
FULLTEXT, SPATIAL, on generated columns), on plain, partitioned and system-versioned
tables. Each table is the smallest that holds the clause (`id`, `n` and the column it
touches), so no other column or key changes the answer. mrpplan plans each pair; every
ALTER is run with the strongest ALGORITHM/LOCK the server accepts, recorded under its
clauses' key (mrpplan.diff.algorithm_table.group_key). A key measured two ways is left out
(listed under "conflicts": its facts are not enough) and the rules decide it.
With --check nothing is written: it prints how many predictions differ from the server.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "schema")]

from algorithm_measure import strongest  # noqa: E402
from algorithm_strategies import (  # noqa: E402
    CHECKS,
    COLUMNS,
    KEYS,
    KINDS,
    OPTIONS,
    AlterTable,
    _allowed_keys,
    _valid,
)
from dbtools import drop_database, make_database  # noqa: E402
from schema_roundtrip import flavor_of, plan, snapshot  # noqa: E402

from mrpplan import sandbox  # noqa: E402
from mrpplan.diff.algorithm_table import TABLE_FILE, group_key  # noqa: E402
from mrpplan.diff.change import TableClause  # noqa: E402

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


def measure(server: object, pairs_: list[tuple[AlterTable, AlterTable]], check: bool) -> None:
    seen: dict[str, set[tuple[str, str]]] = {}
    wrong: list[str] = []
    counted = 0
    started = time.monotonic()
    for n, (a, b) in enumerate(pairs_):
        if a.ddl() == b.ddl() and a.kind == b.kind:
            continue
        db, desired = make_database(server, "ta"), make_database(server, "tb")
        try:
            db.execute(a.ddl(), a.insert())
            desired.execute(b.ddl())
            steps = plan(snapshot(db), snapshot(desired), flavor_of(db))
            conn = db.connect()
            try:
                for step in steps:
                    key = (
                        group_key(step.changes)
                        if all(isinstance(c, TableClause) for c in step.changes)
                        else None
                    )
                    for sql in step.sql:
                        if "ALGORITHM=" not in sql or "PARTITION" in sql.split("ALGORITHM=")[0]:
                            with conn.cursor() as cur:
                                cur.execute(sql)
                            continue
                        got = strongest(conn, sql)
                        counted += 1
                        if (step.algorithm, step.lock) != got:
                            wrong.append(
                                f"predicted {step.algorithm}/{step.lock}, server {got}: {sql}"
                            )
                        if key is not None:
                            seen.setdefault(key, set()).add(got)
            finally:
                conn.close()
        finally:
            drop_database(server, db.name)
            drop_database(server, desired.name)
        if n % 50 == 0:
            print(f"{n}/{len(pairs_)} pairs, {time.monotonic() - started:.0f} s", flush=True)
    print(f"{counted} ALTERs measured, {len(seen)} keys, {len(wrong)} predictions differ")
    for line in wrong:
        print(" ", line)
    if check:
        return
    order = ("instant", "nocopy", "inplace", "copy")
    entries = {k: list(v.pop()) for k, v in sorted(seen.items()) if len(v) == 1}
    conflicts = {k: sorted(list(x) for x in v) for k, v in sorted(seen.items()) if len(v) > 1}
    data = {
        "server": "mariadb-10.11",
        "about": "measured by bench/measure_algorithm_table.py: key -> [algorithm, lock]",
        "algorithms": list(order),
        "entries": entries,
        "conflicts": conflicts,
    }
    TABLE_FILE.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n")
    print(f"wrote {len(entries)} entries ({len(conflicts)} conflicts) to {TABLE_FILE}")
    for k, v in conflicts.items():
        print("  conflict:", k, v)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--no-pairs", action="store_true")
    ap.add_argument("--check", action="store_true", help="compare only, write nothing")
    args = ap.parse_args()
    todo: list[tuple[AlterTable, AlterTable]] = []
    for kind in args.kinds.split(","):
        todo += list(singles(kind))
        if not args.no_pairs:
            todo += list(pairs(kind))
    unique = list({(a.ddl() + a.kind, b.ddl() + b.kind): (a, b) for a, b in todo}.values())
    print(f"{len(unique)} table pairs", flush=True)
    server = sandbox.up(sandbox.default_dir(ROOT))
    measure(server, unique, args.check)


if __name__ == "__main__":
    main()
