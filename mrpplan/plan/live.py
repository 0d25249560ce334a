"""Read a live database's state: its schema (through the schema engine) and history rows."""

from __future__ import annotations

from typing import Any

from mrpplan.mysql.quote import ident
from mrpplan.plan.fingerprint import DatabaseState, object_digests

SCHEMA_HISTORY = "mrpplan_schema_history"
SEED_HISTORY = "mrpplan_seed_history"


def read_state(conn: Any, database: str) -> DatabaseState:
    """The schema and the version/checksum columns of mrpplan's history tables."""
    from mrpplan.mysql.inspect import inspect_schema

    schema = inspect_schema(conn, database)
    present = _existing_tables(conn, database, (SCHEMA_HISTORY, SEED_HISTORY))
    schema_rows: frozenset[tuple[str, str]] = frozenset()
    seed_rows: frozenset[tuple[str, str]] = frozenset()
    if SCHEMA_HISTORY in present:
        schema_rows = _pairs(
            conn,
            f"SELECT version, checksum FROM {ident(database)}.{ident(SCHEMA_HISTORY)} "
            "WHERE COALESCE(success, 1) = 1",
        )
    if SEED_HISTORY in present:
        from mrpplan.seed import history as seed_history

        seed_rows = seed_history.latest_checksums(conn, database)
    return DatabaseState(
        schema=schema,
        schema_history=schema_rows,
        seed_history=seed_rows,
        has_history_table=SCHEMA_HISTORY in present,
        objects=object_digests(schema),
    )


def _existing_tables(conn: Any, database: str, names: tuple[str, ...]) -> set[str]:
    marks = ", ".join(["%s"] * len(names))
    with conn.cursor() as cur:
        cur.execute(
            "SELECT table_name FROM information_schema.tables "
            f"WHERE table_schema = %s AND table_name IN ({marks})",
            (database, *names),
        )
        return {str(row[0]) for row in cur.fetchall()}


def _pairs(conn: Any, sql: str) -> frozenset[tuple[str, str]]:
    with conn.cursor() as cur:
        cur.execute(sql)
        return frozenset((str(a), str(b or "")) for a, b in cur.fetchall())
