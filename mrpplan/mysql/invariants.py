"""Running an invariant's SELECT: how many rows break the rule, and the first few.

Read-only by construction: the SELECT runs inside a READ ONLY transaction, so the server
refuses any write it could make (a function with side effects, a locking read).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mrpplan.mysql.connection import Session

SAMPLES = 5


@dataclass(frozen=True)
class Violations:
    rows: int
    columns: tuple[str, ...] = ()
    samples: tuple[tuple[str | None, ...], ...] = ()


def violations(conn: Session, sql: str) -> Violations:
    """Count the rows `sql` returns, and keep the first SAMPLES of them."""
    with conn.cursor() as cur:
        cur.execute("START TRANSACTION READ ONLY")
        try:
            cur.execute(f"SELECT COUNT(*) FROM ({sql}) AS mrpplan_invariant")
            row = cur.fetchone()
            count = int(row[0]) if row else 0
            if not count:
                return Violations(0)
            cur.execute(f"SELECT * FROM ({sql}) AS mrpplan_invariant LIMIT {SAMPLES}")
            columns = tuple(str(d[0]) for d in cur.description or ())
            samples = tuple(tuple(_text(v) for v in r) for r in cur.fetchall())
        finally:
            cur.execute("ROLLBACK")
    return Violations(count, columns, samples)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)
