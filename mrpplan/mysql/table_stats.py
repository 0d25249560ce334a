"""Per-table facts a backup records and a restore checks: row counts, CHECKSUM TABLE, sizes."""

from __future__ import annotations

from collections.abc import Sequence

import pymysql

from mrpplan.mysql.quote import ident

Connection = pymysql.connections.Connection


def base_tables(conn: Connection, database: str) -> list[str]:
    """Base tables (not views) of a database, in name order."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type IN ('BASE TABLE', 'SYSTEM VERSIONED') "
            "ORDER BY table_name",
            (database,),
        )
        return [str(row[0]) for row in cur.fetchall()]


def views(conn: Connection, database: str) -> list[str]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT table_name FROM information_schema.views WHERE table_schema = %s "
            "ORDER BY table_name",
            (database,),
        )
        return [str(row[0]) for row in cur.fetchall()]


def data_sizes(conn: Connection, database: str, tables: Sequence[str] | None = None) -> int:
    """Estimated bytes of row data (information_schema; for progress ETA only)."""
    sql = (
        "SELECT COALESCE(SUM(data_length), 0) FROM information_schema.tables "
        "WHERE table_schema = %s AND table_type = 'BASE TABLE'"
    )
    args: list[object] = [database]
    if tables:
        sql += " AND table_name IN (" + ", ".join(["%s"] * len(tables)) + ")"
        args += list(tables)
    with conn.cursor() as cur:
        cur.execute(sql, args)
        row = cur.fetchone()
    return int(row[0]) if row else 0


def table_checksums(
    conn: Connection, database: str, tables: Sequence[str] | None = None
) -> dict[str, dict[str, int | None]]:
    """{table: {"rows": exact COUNT(*), "checksum": CHECKSUM TABLE value or None}}.

    Run it inside `START TRANSACTION WITH CONSISTENT SNAPSHOT` to get one point in time.
    """
    names = list(tables) if tables is not None else base_tables(conn, database)
    result: dict[str, dict[str, int | None]] = {}
    with conn.cursor() as cur:
        for name in names:
            qualified = f"{ident(database)}.{ident(name)}"
            cur.execute(f"SELECT COUNT(*) FROM {qualified}")
            count = cur.fetchone()
            cur.execute(f"CHECKSUM TABLE {qualified}")
            checksum = cur.fetchone()
            result[name] = {
                "rows": int(count[0]) if count else 0,
                "checksum": None if not checksum or checksum[1] is None else int(checksum[1]),
            }
    return result


def snapshot_checksums(
    conn: Connection, database: str, tables: Sequence[str] | None = None
) -> dict[str, dict[str, int | None]]:
    """table_checksums in one consistent snapshot (InnoDB), then end the transaction."""
    with conn.cursor() as cur:
        cur.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
    try:
        return table_checksums(conn, database, tables)
    finally:
        with conn.cursor() as cur:
            cur.execute("COMMIT")


def existing_tables(conn: Connection, database: str, names: Sequence[str]) -> list[str]:
    """Those of `names` that exist as base tables."""
    if not names:
        return []
    with conn.cursor() as cur:
        cur.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "AND table_name IN (" + ", ".join(["%s"] * len(names)) + ")",
            (database, *names),
        )
        return sorted(str(r[0]) for r in cur.fetchall())
