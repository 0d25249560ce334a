"""Small information_schema questions that many modules ask: does it exist, what charset."""

from __future__ import annotations

from mrpplan.mysql.connection import Session


def table_exists(conn: Session, table: str) -> bool:
    """Does the connection's current database have this table?"""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*) FROM information_schema.TABLES"
            " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s",
            (table,),
        )
        row = cur.fetchone()
    return bool(row and row[0])


def database_exists(conn: Session, database: str) -> bool:
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s", (database,))
        return cur.fetchone() is not None


def database_charset(conn: Session, database: str) -> tuple[str, str] | None:
    """(character set, collation) of a database, or None when it does not exist."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME"
            " FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s",
            (database,),
        )
        row = cur.fetchone()
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
