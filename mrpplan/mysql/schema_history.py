"""`mrpplan_schema_history`: which migrations a database has, with the down SQL that undoes each.

The table is mrpplan's own (excluded from every schema diff). Each row is one applied
migration: the sha256 of its file when applied (so later edits are caught), who applied
it and how long it took, and the down statements used to undo it (hand-written or
generated), stored as a JSON list so statements with `;` inside survive the round trip.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mrpplan.mysql.catalog import table_exists
from mrpplan.mysql.connection import Session
from mrpplan.mysql.quote import literal

TABLE = "mrpplan_schema_history"

CREATE_SQL = f"""CREATE TABLE IF NOT EXISTS `{TABLE}` (
  `version` VARCHAR(32) NOT NULL,
  `name` VARCHAR(255) NOT NULL,
  `checksum` CHAR(64) NOT NULL,
  `applied_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  `applied_by` VARCHAR(255) NOT NULL DEFAULT '',
  `execution_ms` INT NOT NULL DEFAULT 0,
  `down_sql` LONGTEXT NULL,
  `success` TINYINT(1) NOT NULL DEFAULT 1,
  PRIMARY KEY (`version`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"""


@dataclass(frozen=True)
class HistoryRow:
    """One applied (or failed) migration as the database remembers it."""

    version: str
    name: str
    checksum: str
    applied_at: datetime | None
    applied_by: str
    execution_ms: int
    down_sql: tuple[str, ...] | None
    success: bool

    @property
    def number(self) -> int:
        return int(self.version) if self.version.isdigit() else -1


def exists(conn: Session) -> bool:
    """Does the current database have the history table? (No table = no known version.)"""
    return table_exists(conn, TABLE)


def ensure(conn: Session) -> None:
    """Create the table if it is missing (idempotent, safe on a live database)."""
    with conn.cursor() as cur:
        cur.execute(CREATE_SQL)


def read(conn: Session) -> list[HistoryRow]:
    """All rows, ordered by version number; [] when the table does not exist."""
    if not exists(conn):
        return []
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT version, name, checksum, applied_at, applied_by, execution_ms, down_sql,"
            f" success FROM `{TABLE}`"
        )
        rows = [
            HistoryRow(
                version=str(r[0]),
                name=str(r[1]),
                checksum=str(r[2]),
                applied_at=r[3],
                applied_by=str(r[4] or ""),
                execution_ms=int(r[5] or 0),
                down_sql=decode_down(r[6]),
                success=bool(r[7]),
            )
            for r in cur.fetchall()
        ]
    return sorted(rows, key=lambda r: (r.number, r.version))


def applied_version(rows: Sequence[HistoryRow]) -> int:
    """The highest successfully applied migration number (0 = base schema only)."""
    numbers = [r.number for r in rows if r.success and r.number >= 0]
    return max(numbers, default=0)


def record_sql(
    version: str,
    name: str,
    checksum: str,
    down_sql: Sequence[str] | None,
    *,
    execution_ms: int | str = 0,
    success: bool = True,
) -> str:
    """The statement that records one migration (REPLACE: re-applying after a down is fine).

    `execution_ms` may be a SQL expression (the executor's timing is not known at plan time).
    """
    return _replace_sql(
        version, name, checksum, "NOW(6)", "CURRENT_USER()", execution_ms, down_sql, success
    )


def _replace_sql(
    version: str,
    name: str,
    checksum: str,
    applied_at: str,
    applied_by: str,
    execution_ms: int | str,
    down_sql: Sequence[str] | None,
    success: bool,
) -> str:
    """The one REPLACE of a history row; `applied_at`/`applied_by` are SQL expressions."""
    return (
        f"REPLACE INTO `{TABLE}` (version, name, checksum, applied_at, applied_by, execution_ms,"
        f" down_sql, success) VALUES ({literal(version)}, {literal(name)}, {literal(checksum)},"
        f" {applied_at}, {applied_by}, {execution_ms}, {literal(encode_down(down_sql))},"
        f" {1 if success else 0})"
    )


def restore_sql(row: HistoryRow) -> str:
    """The statement that puts a removed row back exactly as it was (the undo of a
    `migrate down`): its own applied_at, applied_by and timing, not the undo's."""
    applied = (
        literal(row.applied_at.strftime("%Y-%m-%d %H:%M:%S.%f")) if row.applied_at else "NOW(6)"
    )
    return _replace_sql(
        row.version,
        row.name,
        row.checksum,
        applied,
        literal(row.applied_by),
        int(row.execution_ms),
        row.down_sql,
        row.success,
    )


def remove_sql(version: str) -> str:
    """The statement that forgets one migration (after its down ran)."""
    return f"DELETE FROM `{TABLE}` WHERE version = {literal(version)}"


def record(
    conn: Session,
    version: str,
    name: str,
    checksum: str,
    down_sql: Sequence[str] | None,
    *,
    execution_ms: int = 0,
    success: bool = True,
) -> None:
    ensure(conn)
    with conn.cursor() as cur:
        cur.execute(
            record_sql(
                version, name, checksum, down_sql, execution_ms=execution_ms, success=success
            )
        )


def remove(conn: Session, version: str) -> None:
    if not exists(conn):
        return
    with conn.cursor() as cur:
        cur.execute(remove_sql(version))


def encode_down(statements: Sequence[str] | None) -> str | None:
    return None if statements is None else json.dumps(list(statements))


def decode_down(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    text = value.decode() if isinstance(value, (bytes, bytearray)) else str(value)
    try:
        data = json.loads(text)
    except ValueError:  # plain text (e.g. written by the declarative planner): split it
        from mrpplan.sqlfiles.split import split_sql

        return tuple(s.text for s in split_sql(text, Path(TABLE)))
    if isinstance(data, list):
        return tuple(str(s) for s in data)
    return (text,)
