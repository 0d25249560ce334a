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
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "schema")]

from algorithm_measure import strongest  # noqa: E402
from algorithm_strategies import KINDS, AlterTable  # noqa: E402
from algorithm_table_cases import pairs, singles  # noqa: E402
from dbtools import drop_database, make_database  # noqa: E402
from schema_roundtrip import flavor_of, plan, snapshot  # noqa: E402

from mrpplan import sandbox  # noqa: E402
from mrpplan.diff.algorithm_table import TABLE_FILE, group_key  # noqa: E402
from mrpplan.diff.change import TableClause  # noqa: E402


def measure(
    server: object,
    pairs_: list[tuple[AlterTable, AlterTable]],
    check: bool,
    keep: Callable[[str], bool] | None = None,
) -> None:
    """Measure every pair; write the table (with `keep`: merged into the shipped one,
    whose entries `keep` accepts stay, the rest are replaced by this run's)."""
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
                            said = f"{step.algorithm}/{step.lock}"
                            on = " ".join(a.ddl().split())
                            wrong.append(f"predicted {said}, server {got}: {sql}\n    on {on}")
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
    if keep is not None:
        old = json.loads(TABLE_FILE.read_text())
        entries = dict(sorted({**_kept(old["entries"], keep), **entries}.items()))
        conflicts = dict(sorted({**_kept(old["conflicts"], keep), **conflicts}.items()))
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


def _kept(table: dict[str, object], keep: Callable[[str], bool]) -> dict[str, object]:
    return {k: v for k, v in table.items() if keep(k)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--no-pairs", action="store_true")
    ap.add_argument("--check", action="store_true", help="compare only, write nothing")
    ap.add_argument(
        "--only-virtual",
        action="store_true",
        help="re-measure the tables holding a VIRTUAL column; merge into the shipped table",
    )
    args = ap.parse_args()
    todo: list[tuple[AlterTable, AlterTable]] = []
    for kind in args.kinds.split(","):
        todo += list(singles(kind))
        if not args.no_pairs:
            todo += list(pairs(kind))
    unique = list({(a.ddl() + a.kind, b.ddl() + b.kind): (a, b) for a, b in todo}.values())
    keep = None
    if args.only_virtual:
        unique = [(a, b) for a, b in unique if "gv" in a.names]
        keep = lambda key: "+virtual" not in key  # noqa: E731
    print(f"{len(unique)} table pairs", flush=True)
    server = sandbox.up(sandbox.default_dir(ROOT))
    measure(server, unique, args.check, keep)


if __name__ == "__main__":
    main()
