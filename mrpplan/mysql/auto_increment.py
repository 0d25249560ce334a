"""How much of each AUTO_INCREMENT column's range a database has used (lint rule
`auto-increment-capacity`)."""

from __future__ import annotations

from dataclasses import dataclass

from mrpplan.model.column import INTEGER_TYPES
from mrpplan.model.preflight_check import integer_range
from mrpplan.mysql.catalog import fetch_all
from mrpplan.mysql.connection import Session


@dataclass(frozen=True)
class Usage:
    table: str
    column: str
    type: str
    used: int  # values handed out so far (the next value - 1)
    maximum: int


def auto_increment_usage(conn: Session, database: str) -> list[Usage]:
    rows = fetch_all(
        conn,
        "SELECT t.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, t.AUTO_INCREMENT "
        "FROM information_schema.TABLES AS t JOIN information_schema.COLUMNS AS c "
        "ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME "
        "AND c.EXTRA LIKE %s "
        "WHERE t.TABLE_SCHEMA = %s AND t.AUTO_INCREMENT IS NOT NULL "
        "ORDER BY t.TABLE_NAME",
        "%auto_increment%",
        database,
    )
    usage = []
    for table, column, column_type, next_value in rows:
        text = str(column_type).lower()
        base = text.split("(")[0].split()[0]
        if base not in INTEGER_TYPES:
            continue
        _low, high = integer_range(base, "unsigned" in text)
        usage.append(Usage(str(table), str(column), text, int(next_value) - 1, high))
    return usage
