"""Small information_schema questions that many modules ask: does it exist, what charset."""

from __future__ import annotations

from typing import Any

from mrpplan.mysql.connection import Session


def fetch_one(conn: Session, sql: str, *args: object) -> tuple[Any, ...] | None:
    """The first row of a query, or None."""
    with conn.cursor() as cur:
        cur.execute(sql, args or None)
        row: tuple[Any, ...] | None = cur.fetchone()
    return row


def fetch_all(conn: Session, sql: str, *args: object) -> list[tuple[Any, ...]]:
    """Every row of a query."""
    with conn.cursor() as cur:
        cur.execute(sql, args or None)
        return list(cur.fetchall())


def table_exists(conn: Session, table: str) -> bool:
    """Does the connection's current database have this table?"""
    row = fetch_one(
        conn,
        "SELECT COUNT(*) FROM information_schema.TABLES"
        " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s",
        table,
    )
    return bool(row and row[0])


def database_exists(conn: Session, database: str) -> bool:
    sql = "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s"
    return fetch_one(conn, sql, database) is not None


def database_charset(conn: Session, database: str) -> tuple[str, str] | None:
    """(character set, collation) of a database, or None when it does not exist."""
    row = fetch_one(
        conn,
        "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME"
        " FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s",
        database,
    )
    return (str(row[0]), str(row[1])) if row else None


_SYSTEM_DATABASES = ("information_schema", "mysql", "performance_schema", "sys")


def databases_like(conn: Session, pattern: str) -> list[str]:
    """The databases whose names match a LIKE pattern, sorted; never the server's own
    databases nor mrpplan's scratch and shadow databases (`_mrpplan...`)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE %s"
            " AND SCHEMA_NAME NOT LIKE '\\_mrpplan%%' AND SCHEMA_NAME NOT IN (%s, %s, %s, %s)"
            " ORDER BY SCHEMA_NAME",
            (pattern, *_SYSTEM_DATABASES),
        )
        return [str(row[0]) for row in cur.fetchall()]
