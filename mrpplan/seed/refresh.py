"""`seed refresh`: which tables it empties, and in which order.

"The rows seeds own" are the rows of the tables the seeds write to (their INSERT/REPLACE/
UPDATE targets, found with sqlglot). The refresh plan (seed/plan_steps.empty_drafts)
checkpoints those tables, empties them children-first (reverse foreign-key order) in one
transaction (a row elsewhere that still references a seeded row makes it fail and roll
back, so nothing is lost), then re-runs the seeds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from mrpplan.mysql.connection import Session
from mrpplan.seed.sets import SeedFile
from mrpplan.sqlfiles.dml_targets import written_tables


def owned_tables(seeds: Sequence[SeedFile], statements: Sequence[Sequence[str]]) -> list[str]:
    """Tables written by the seeds, first-seen order."""
    seen: dict[str, None] = {}
    for texts in statements:
        for table in written_tables(texts):
            seen.setdefault(table, None)
    return list(seen)


def foreign_keys(conn: Session) -> list[tuple[str, str]]:
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


def existing_tables(conn: Session, tables: Iterable[str]) -> list[str]:
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
