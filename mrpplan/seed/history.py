"""`mrpplan_seed_history`: which seed files a database has, by checksum.

A seed applied with the same checksum is skipped; a changed file is re-applied. The row is
written in the same transaction as the seed's own rows, so history and data never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mrpplan.mysql.catalog import table_exists
from mrpplan.mysql.connection import Connection
from mrpplan.mysql.quote import literal

TABLE = "mrpplan_seed_history"

CREATE_SQL = f"""CREATE TABLE IF NOT EXISTS `{TABLE}` (
  `seed` VARCHAR(255) NOT NULL,
  `checksum` CHAR(64) NOT NULL,
  `applied_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  `rows_affected` BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (`seed`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"""


@dataclass(frozen=True)
class SeedRecord:
    seed: str
    checksum: str
    applied_at: datetime | None
    rows_affected: int


def exists(conn: Connection) -> bool:
    return table_exists(conn, TABLE)


def ensure(conn: Connection) -> None:
    """Create the table if missing. DDL: call it outside a seed's transaction."""
    with conn.cursor() as cur:
        cur.execute(CREATE_SQL)


def read(conn: Connection) -> dict[str, SeedRecord]:
    """seed name -> record; {} when the table does not exist."""
    if not exists(conn):
        return {}
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT seed, checksum, applied_at, rows_affected FROM `{TABLE}` ORDER BY seed"
        )
        return {
            str(r[0]): SeedRecord(str(r[0]), str(r[1]), r[2], int(r[3] or 0))
            for r in cur.fetchall()
        }


def record_sql(seed: str, checksum: str, rows_affected: int | str) -> str:
    """`rows_affected` may be a SQL expression when it is only known at run time."""
    return (
        f"REPLACE INTO `{TABLE}` (seed, checksum, applied_at, rows_affected)"
        f" VALUES ({literal(seed)}, {literal(checksum)}, NOW(6), {rows_affected})"
    )


def remove_sql(seed: str) -> str:
    return f"DELETE FROM `{TABLE}` WHERE seed = {literal(seed)}"


def record(conn: Connection, seed: str, checksum: str, rows_affected: int) -> None:
    """Write the row on `conn` (inside the caller's transaction when there is one)."""
    with conn.cursor() as cur:
        cur.execute(record_sql(seed, checksum, rows_affected))


def remove(conn: Connection, seed: str) -> None:
    if exists(conn):
        with conn.cursor() as cur:
            cur.execute(remove_sql(seed))
