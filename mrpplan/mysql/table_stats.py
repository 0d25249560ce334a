"""Per-table facts a backup records and a restore checks: row counts, CHECKSUM TABLE, sizes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from mrpplan.config.settings import ConnectionSettings
from mrpplan.mysql.catalog import fetch_all
from mrpplan.mysql.connection import Session, session
from mrpplan.mysql.quote import ident


def base_tables(conn: Session, database: str) -> list[str]:
    """Base tables (not views) of a database, in name order."""
    rows = fetch_all(
        conn,
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = %s AND table_type IN ('BASE TABLE', 'SYSTEM VERSIONED') "
        "ORDER BY table_name",
        database,
    )
    return [str(row[0]) for row in rows]


def views(conn: Session, database: str) -> list[str]:
    sql = "SELECT table_name FROM information_schema.views WHERE table_schema = %s ORDER BY 1"
    return [str(row[0]) for row in fetch_all(conn, sql, database)]


def data_sizes(conn: Session, database: str, tables: Sequence[str] | None = None) -> int:
    """Estimated bytes of row data (information_schema; for progress ETA only)."""
    return _size_sum(conn, database, tables, "data_length")


def sizes_by_table(conn: Session, database: str, tables: Sequence[str]) -> dict[str, int]:
    """{table: estimated bytes of row data} (to share tables out between dump workers)."""
    return _per_table(conn, database, tables, "data_length")


def stored_sizes(conn: Session, database: str, tables: Sequence[str] | None = None) -> int:
    """Bytes the tables take on disk, rows and indexes (for a free-space estimate)."""
    return _size_sum(conn, database, tables, "data_length + index_length")


def _size_sum(conn: Session, database: str, tables: Sequence[str] | None, column: str) -> int:
    sql = (
        f"SELECT COALESCE(SUM({column}), 0) FROM information_schema.tables "
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
    conn: Session, database: str, tables: Sequence[str] | None = None
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
    conn: Session,
    database: str,
    tables: Sequence[str] | None = None,
    on_snapshot: Callable[[], None] | None = None,
) -> dict[str, dict[str, int | None]]:
    """table_checksums in one consistent snapshot (InnoDB), then end the transaction.
    `on_snapshot` is called once the snapshot exists (a parallel dump waits for it)."""
    with conn.cursor() as cur:
        cur.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
    if on_snapshot:
        on_snapshot()
    try:
        return table_checksums(conn, database, tables)
    finally:
        with conn.cursor() as cur:
            cur.execute("COMMIT")


def existing_tables(conn: Session, database: str, names: Sequence[str]) -> list[str]:
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


def checksums_in_parallel(
    settings: ConnectionSettings, database: str, tables: Sequence[str], workers: int = 4
) -> dict[str, dict[str, int | None]]:
    """table_checksums over several connections at once (after a load; no snapshot needed).

    Each CHECKSUM TABLE is one full scan on one server core; tables are independent.
    """
    names = list(tables)
    if len(names) <= 1 or workers <= 1:
        with session(settings) as conn:
            return table_checksums(conn, database, names)
    buckets = [names[i::workers] for i in range(min(workers, len(names)))]

    def run(bucket: list[str]) -> dict[str, dict[str, int | None]]:
        with session(settings) as conn:
            return table_checksums(conn, database, bucket)

    merged: dict[str, dict[str, int | None]] = {}
    with ThreadPoolExecutor(max_workers=len(buckets)) as pool:
        for part in pool.map(run, buckets):
            merged.update(part)
    return merged


def estimated_rows(conn: Session, database: str, tables: Sequence[str]) -> dict[str, int]:
    """{table: the server's row estimate} (information_schema, no scan: cheap on any size;
    InnoDB's estimate is what decides whether a table is big, DESIGN §3.8)."""
    return _per_table(conn, database, tables, "table_rows")


def _per_table(conn: Session, database: str, tables: Sequence[str], column: str) -> dict[str, int]:
    """{table: one numeric column of information_schema.tables} for the named tables."""
    if not tables:
        return {}
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT table_name, COALESCE({column}, 0) FROM information_schema.tables "
            "WHERE table_schema = %s AND table_name IN (" + ", ".join(["%s"] * len(tables)) + ")",
            (database, *tables),
        )
        return {str(name): int(value) for name, value in cur.fetchall()}
