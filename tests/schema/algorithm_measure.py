"""Ask the server for the strongest ALGORITHM/LOCK an ALTER TABLE accepts.

The ALTER is tried with ALGORITHM=INSTANT, NOCOPY, INPLACE, COPY, each with LOCK=NONE,
SHARED, EXCLUSIVE, in that order: the server checks both before it changes anything
(errno 1845/1846), so the first one it accepts is the measurement, and it has run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pymysql

from mrpplan.diff.algorithm import LOCKS, ORDER
from mrpplan.diff.ddl import ChangeGroup

_NAMED = re.compile(r"ALGORITHM=\w+, LOCK=\w+")


@dataclass(frozen=True)
class Measured:
    sql: str
    predicted: tuple[str, str]
    measured: tuple[str, str]


def strongest(conn: Any, sql: str) -> tuple[str, str]:
    """Run `sql` (an ALTER naming ALGORITHM/LOCK) with the strongest pair the server takes."""
    last: Exception | None = None
    with conn.cursor() as cur:
        for algorithm in ORDER:
            for lock in LOCKS:
                named = f"ALGORITHM={algorithm.upper()}, LOCK={lock.upper()}"
                try:
                    cur.execute(_NAMED.sub(named, sql))
                except pymysql.MySQLError as exc:
                    if exc.args[0] not in (1845, 1846):
                        raise
                    last = exc
                    continue
                return algorithm, lock
    raise AssertionError(f"the server refused every ALGORITHM/LOCK ({last}): {sql}")


def measure_steps(conn: Any, steps: Sequence[ChangeGroup]) -> list[Measured]:
    """Run the plan's statements on a scratch copy of the current schema, each ALTER with
    the strongest ALGORITHM/LOCK the server accepts; return prediction and measurement."""
    out: list[Measured] = []
    for step in steps:
        for sql in step.sql:
            if _NAMED.search(sql):
                out.append(Measured(sql, (step.algorithm, step.lock), strongest(conn, sql)))
            else:
                with conn.cursor() as cur:
                    cur.execute(sql)
    return out
