"""`seed refresh`: put the seeded rows back the way the seed files say.

"The rows seeds own" are the rows of the tables the seeds write to (their INSERT/REPLACE/
UPDATE targets, found with sqlglot). Refresh empties those tables children-first (reverse
foreign-key order) and re-runs the seeds, all in ONE transaction: if any row elsewhere
still references a seeded row (a foreign key from a table no seed owns), the delete fails
and the transaction rolls back, so nothing is lost. The caller checkpoints the tables
first (a rollback file a human can restore from).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pymysql

from mrpplan.mysql.connection import Connection
from mrpplan.mysql.quote import ident
from mrpplan.seed import history
from mrpplan.seed.runner import seed_error
from mrpplan.seed.sets import SeedFile
from mrpplan.seed.targets import written_tables


def owned_tables(seeds: Sequence[SeedFile], statements: Sequence[Sequence[str]]) -> list[str]:
    """Tables written by the seeds, first-seen order."""
    seen: dict[str, None] = {}
    for texts in statements:
        for table in written_tables(texts):
            seen.setdefault(table, None)
    return list(seen)


def foreign_keys(conn: Connection) -> list[tuple[str, str]]:
    """(child table, parent table) for every foreign key in the current database."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT TABLE_NAME, REFERENCED_TABLE_NAME"
            " FROM information_schema.KEY_COLUMN_USAGE"
            " WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL"
        )
        return [(str(a), str(b)) for a, b in cur.fetchall()]


def delete_order(tables: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[str]:
    """Children before parents (self references ignored; cycles keep their given order)."""
    pending = list(dict.fromkeys(tables))
    wanted = set(pending)
    children: dict[str, set[str]] = {t: set() for t in pending}
    for child, parent in edges:
        if child != parent and child in wanted and parent in wanted:
            children[parent].add(child)
    ordered: list[str] = []
    done: set[str] = set()
    while pending:
        ready = [t for t in pending if children[t] <= done]
        pick = ready[0] if ready else pending[0]
        ordered.append(pick)
        done.add(pick)
        pending.remove(pick)
    return ordered


def existing_tables(conn: Connection, tables: Iterable[str]) -> list[str]:
    names = list(tables)
    if not names:
        return []
    marks = ", ".join(["%s"] * len(names))
    with conn.cursor() as cur:
        cur.execute(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
            f" AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME IN ({marks})",
            names,
        )
        present = {str(r[0]) for r in cur.fetchall()}
    return [t for t in names if t in present]


def refresh(
    conn: Connection,
    seeds: Sequence[SeedFile],
    statements: Sequence[Sequence[str]],
    tables: Sequence[str],
) -> dict[str, int]:
    """Delete rows of `tables` in the given order and re-run the seeds, in one transaction.

    Returns rows affected per seed. History must already exist.
    """
    results: dict[str, int] = {}
    current = ""
    conn.begin()
    try:
        with conn.cursor() as cur:
            for table in tables:
                current = f"DELETE FROM {ident(table)}"
                cur.execute(current)
            for seed, texts in zip(seeds, statements, strict=True):
                rows = 0
                cur.execute(history.START_SQL)
                for current in texts:
                    cur.execute(current)
                    rows += max(cur.rowcount or 0, 0)
                current = history.record_sql(seed.name, seed.checksum, rows)
                cur.execute(current)
                results[seed.name] = rows
        conn.commit()
    except pymysql.MySQLError as exc:
        conn.rollback()
        error = seed_error(
            exc,
            current,
            "seed refresh",
            "The refresh ran in one transaction and was rolled back: no rows changed.",
        )
        if error.errno == 1451:
            error.hint = (
                "rows in a table no seed owns still reference seeded rows; refresh would break"
                " them. Remove those rows first, or run `mrpplan seed run` (upserts) instead."
            )
        raise error from None
    return results
