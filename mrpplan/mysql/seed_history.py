"""`mrpplan_seed_history`: every seed run (DESIGN §3.4), the latest row per seed its state.

One row per run: seed, checksum, when, who (the database account), rows affected and how
long it took, so `seed status --track` can show what ran where. The row is written in the
same transaction as the seed's own rows, so history and data never disagree. A seed whose
latest row has the file's checksum is applied; a changed file is re-applied.

This module is the only code that knows the table. Readers that only need "which checksum
does each seed have" (the plan fingerprint) get the latest row per seed, so re-running a
seed with the same checksum adds a row but does not make a reviewed plan stale.

Tables written by older mrpplan versions (one row per seed, primary key `seed`) are read
as they are and upgraded by `ensure` before the next write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mrpplan.mysql.catalog import table_exists
from mrpplan.mysql.connection import Session
from mrpplan.mysql.quote import ident, literal
from mrpplan.units import json_record

TABLE = "mrpplan_seed_history"
CLOCK_VARIABLE = "@mrpplan_seed_t0"
START_SQL = f"SET {CLOCK_VARIABLE} = NOW(6)"
_ELAPSED_MS = f"COALESCE(TIMESTAMPDIFF(MICROSECOND, {CLOCK_VARIABLE}, NOW(6)) DIV 1000, 0)"

CREATE_SQL = f"""CREATE TABLE IF NOT EXISTS `{TABLE}` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `seed` VARCHAR(255) NOT NULL,
  `checksum` CHAR(64) NOT NULL,
  `applied_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  `applied_by` VARCHAR(255) NOT NULL DEFAULT '',
  `rows_affected` BIGINT NOT NULL DEFAULT 0,
  `execution_ms` BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  KEY `seed_runs` (`seed`, `id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"""

# from the one-row-per-seed table of earlier versions; existing rows keep their order
_UPGRADE_SQL = f"""ALTER TABLE `{TABLE}`
  DROP PRIMARY KEY,
  ADD COLUMN `id` BIGINT NOT NULL AUTO_INCREMENT FIRST,
  ADD PRIMARY KEY (`id`),
  ADD COLUMN `applied_by` VARCHAR(255) NOT NULL DEFAULT '' AFTER `applied_at`,
  ADD COLUMN `execution_ms` BIGINT NOT NULL DEFAULT 0,
  ADD KEY `seed_runs` (`seed`, `id`)"""


@dataclass(frozen=True)
class SeedRecord:
    """One run of a seed (from `read`: the latest run, i.e. the seed's current state)."""

    seed: str
    checksum: str
    applied_at: datetime | None
    rows_affected: int
    applied_by: str = ""
    execution_ms: int = 0
    run_id: int = 0

    def as_dict(self) -> dict[str, object]:
        fields = ("run=run_id", "seed", "checksum", "applied_at", "applied_by")
        return json_record(self, *fields, "rows_affected", "execution_ms")


def exists(conn: Session) -> bool:
    return table_exists(conn, TABLE)


def _keeps_runs(conn: Session, database: str | None = None) -> bool:
    """True for the one-row-per-run table (it has an `id` column)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
            + ("DATABASE()" if database is None else literal(database))
            + f" AND TABLE_NAME = '{TABLE}' AND COLUMN_NAME = 'id'"
        )
        row = cur.fetchone()
    return bool(row and row[0])


def ensure(conn: Session) -> None:
    """Create the table if missing, upgrade an old one. DDL: call it outside a transaction."""
    with conn.cursor() as cur:
        cur.execute(CREATE_SQL)
        if not _keeps_runs(conn):
            cur.execute(_UPGRADE_SQL)


def _select(conn: Session, database: str | None, latest_only: bool) -> str:
    table = f"{ident(database)}.`{TABLE}`" if database else f"`{TABLE}`"
    if not _keeps_runs(conn, database):
        return (
            f"SELECT seed, checksum, applied_at, rows_affected, '', 0, 0 FROM {table} ORDER BY seed"
        )
    columns = (
        "h.seed, h.checksum, h.applied_at, h.rows_affected, h.applied_by, h.execution_ms, h.id"
    )
    if not latest_only:
        return f"SELECT {columns} FROM {table} h ORDER BY h.id"
    return (
        f"SELECT {columns} FROM {table} h JOIN (SELECT seed, MAX(id) AS id FROM {table}"
        " GROUP BY seed) latest ON latest.id = h.id ORDER BY h.seed"
    )


def _records(conn: Session, sql: str) -> list[SeedRecord]:
    with conn.cursor() as cur:
        cur.execute(sql)
        return [
            SeedRecord(
                str(r[0]),
                str(r[1]),
                r[2],
                int(r[3] or 0),
                str(r[4] or ""),
                int(r[5] or 0),
                int(r[6] or 0),
            )
            for r in cur.fetchall()
        ]


def read(conn: Session) -> dict[str, SeedRecord]:
    """seed name -> its latest run; {} when the table does not exist."""
    if not exists(conn):
        return {}
    return {r.seed: r for r in _records(conn, _select(conn, None, latest_only=True))}


def runs(conn: Session) -> list[SeedRecord]:
    """Every recorded run, oldest first; [] when the table does not exist."""
    if not exists(conn):
        return []
    return _records(conn, _select(conn, None, latest_only=False))


def latest_checksums(conn: Session, database: str) -> frozenset[tuple[str, str]]:
    """(seed, checksum) of each seed's latest run in `database`: what plan fingerprints use
    (one more run with the same checksum leaves them unchanged)."""
    records = _records(conn, _select(conn, database, latest_only=True))
    return frozenset((r.seed, r.checksum) for r in records)


def record_sql(seed: str, checksum: str, rows_affected: int | str) -> str:
    """The statement that records one run. `rows_affected` may be a SQL expression when it is
    only known at run time; the duration is measured from START_SQL (0 if it did not run)."""
    return (
        f"INSERT INTO `{TABLE}` (seed, checksum, applied_at, applied_by, rows_affected,"
        f" execution_ms) VALUES ({literal(seed)}, {literal(checksum)}, NOW(6), CURRENT_USER(),"
        f" {rows_affected}, {_ELAPSED_MS})"
    )


def last_run_id(conn: Session) -> int:
    """The newest run's id (0 when none): runs after it are the ones a failed apply undoes."""
    if not exists(conn) or not _keeps_runs(conn):
        return 0
    with conn.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM `{TABLE}`")
        row = cur.fetchone()
    return int(row[0]) if row else 0


def forget_runs_after(conn: Session, seed: str, run_id: int) -> None:
    """Delete `seed`'s runs newer than `run_id` (undo of a seed step)."""
    if exists(conn):
        with conn.cursor() as cur:
            cur.execute(f"DELETE FROM `{TABLE}` WHERE seed = {literal(seed)} AND id > {run_id}")


def record(conn: Session, seed: str, checksum: str, rows_affected: int) -> None:
    """Write a run on `conn` (inside the caller's transaction when there is one)."""
    with conn.cursor() as cur:
        cur.execute(record_sql(seed, checksum, rows_affected))
