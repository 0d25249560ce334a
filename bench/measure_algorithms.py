"""Re-measure mrpplan's ALGORITHM/LOCK predictions on the sandbox server.

Run on demand:  .venv/bin/python bench/measure_algorithms.py [--examples N] [--seed S]

Draws N table pairs one ALTER apart from the property test's generator
(tests/schema/algorithm_strategies.py), plans each with mrpplan, runs every ALTER with
the strongest ALGORITHM/LOCK the server accepts and prints how many predictions agree,
then every disagreement (prediction, measurement, statement), grouped by statement shape.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "schema")]

from algorithm_measure import measure_steps  # noqa: E402
from algorithm_strategies import alter_pairs  # noqa: E402
from dbtools import drop_database, make_database  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schema_roundtrip import flavor_of, plan, snapshot  # noqa: E402

from mrpplan import sandbox  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    server = sandbox.up(sandbox.default_dir(ROOT))
    counts: Counter[str] = Counter()
    wrong: dict[str, str] = {}

    @settings(
        max_examples=args.examples,
        database=None,
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(pair=alter_pairs(), _r=st.randoms(use_true_random=False))
    def one(pair: tuple[object, object], _r: random.Random) -> None:
        a, b = pair
        db = make_database(server, "ma")
        desired = make_database(server, "mb")
        try:
            db.execute(a.ddl(), a.insert())  # type: ignore[attr-defined]
            desired.execute(b.ddl())  # type: ignore[attr-defined]
            steps = plan(snapshot(db), snapshot(desired), flavor_of(db))
            conn = db.connect()
            try:
                for m in measure_steps(conn, steps):
                    counts["measured"] += 1
                    if m.predicted == m.measured:
                        counts["agree"] += 1
                        continue
                    shape = re.sub(r"`\w+`", "`x`", m.sql)
                    wrong.setdefault(
                        shape,
                        f"predicted {m.predicted}, measured {m.measured}:\n  {a.ddl()}\n  {m.sql}",
                    )  # type: ignore[attr-defined]
            finally:
                conn.close()
        finally:
            drop_database(server, db.name)
            drop_database(server, desired.name)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        random.seed(args.seed)
        one()
    print(
        f"{counts['measured']} ALTERs measured, {counts['agree']} predicted exactly,"
        f" {len(wrong)} kinds of disagreement"
    )
    for text in wrong.values():
        print(text)


if __name__ == "__main__":
    main()
