"""How much of each AUTO_INCREMENT column's range a database has used (lint rule
`auto-increment-capacity`)."""

from __future__ import annotations

from dataclasses import dataclass

from mrpplan.model.column import INTEGER_TYPES
from mrpplan.model.preflight_check import integer_range
from mrpplan.mysql.catalog import fetch_all
from mrpplan.mysql.connection import Session
from mrpplan.mysql.quote import literal


@dataclass(frozen=True)
class Usage:
    """How much of an AUTO_INCREMENT column's range is used."""

    table: str
    column: str
    type: str
    used: int  # values handed out so far (the next value - 1)
    maximum: int


def auto_increment_usage(conn: Session, database: str, share: float = 0.0) -> list[Usage]:
    """Each AUTO_INCREMENT integer column that may have used more than `share` of its range.

    Only the tables whose next value could be that far along in the smallest integer type
    have their columns read: information_schema.COLUMNS opens each table it reads, which on
    a schema of a thousand tables took as long as all their SHOW CREATEs."""
    smallest = min(integer_range(base, False)[1] for base in INTEGER_TYPES)
    counters = fetch_all(
        conn,
        "SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES"
        " WHERE TABLE_SCHEMA = %s AND AUTO_INCREMENT > %s",
        database,
        int(share * smallest),
    )
    if not counters:
        return []
    columns = []
    for i in range(0, len(counters), 200):
        columns += fetch_all(
            conn,
            " UNION ALL ".join(  # one SELECT a table: an IN list would open every table
                "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS"
                f" WHERE TABLE_SCHEMA = {literal(database)} AND TABLE_NAME = {literal(str(t))}"
                " AND EXTRA LIKE '%auto_increment%'"
                for t, _next in counters[i : i + 200]
            ),
        )
    next_values = {str(table): int(next_value) for table, next_value in counters}
    usage = []
    for table, column, column_type in sorted(columns, key=lambda row: str(row[0])):
        text = str(column_type).lower()
        base = text.split("(")[0].split()[0]
        if base not in INTEGER_TYPES:
            continue
        _low, high = integer_range(base, "unsigned" in text)
        used = next_values[str(table)] - 1
        usage.append(Usage(str(table), str(column), text, used, high))
    return usage
