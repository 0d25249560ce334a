"""What sync needs to know about a live database, read from information_schema.

Estimates (rows, bytes) come from the server's statistics, never from counting rows:
a dry run of a 200 GB production database must answer in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from mrpplan.mysql import catalog as mysql_catalog
from mrpplan.mysql.connection import Session
from mrpplan.mysql.quote import ident


@dataclass(frozen=True)
class TableStat:
    """One table or view of a database, with the server's size estimates."""

    name: str
    kind: str  # "table" | "view"
    rows: int  # estimate (InnoDB statistics)
    bytes: int  # data + index length, estimate


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    data_type: str  # lower case: varchar, int, text, ...
    nullable: bool
    max_length: int | None  # characters, for string types

    @property
    def is_text(self) -> bool:
        return self.data_type in TEXT_TYPES


TEXT_TYPES = frozenset({"char", "varchar", "tinytext", "text", "mediumtext", "longtext"})


def database_charset(conn: Session, database: str) -> tuple[str, str]:
    """(character set, collation) of a database, to create its copy alike."""
    return mysql_catalog.database_charset(conn, database) or ("utf8mb4", "utf8mb4_general_ci")


def table_stats(conn: Session, database: str) -> list[TableStat]:
    """Every table and view of the database, sorted by name."""
    rows = mysql_catalog.fetch_all(
        conn,
        "SELECT TABLE_NAME, TABLE_TYPE, COALESCE(TABLE_ROWS, 0),"
        " COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0)"
        " FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s ORDER BY TABLE_NAME",
        database,
    )
    return [
        TableStat(
            name=str(r[0]),
            kind="view" if str(r[1]).upper() == "VIEW" else "table",
            rows=int(r[2]),
            bytes=int(r[3]),
        )
        for r in rows
    ]


def columns(conn: Session, database: str) -> dict[str, dict[str, ColumnInfo]]:
    """table -> column -> ColumnInfo, for every table of the database."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, IS_NULLABLE, CHARACTER_MAXIMUM_LENGTH"
            " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s"
            " ORDER BY TABLE_NAME, ORDINAL_POSITION",
            (database,),
        )
        rows = cur.fetchall()
    found: dict[str, dict[str, ColumnInfo]] = {}
    for table, column, data_type, nullable, max_length in rows:
        found.setdefault(str(table), {})[str(column)] = ColumnInfo(
            name=str(column),
            data_type=str(data_type).lower(),
            nullable=str(nullable).upper() == "YES",
            max_length=int(max_length) if max_length is not None else None,
        )
    return found


def unique_keys(conn: Session, database: str, table: str) -> dict[str, list[str]]:
    """index name -> its columns in order, for the PRIMARY and UNIQUE keys of one table."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS"
            " WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s AND NON_UNIQUE = 0"
            " ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX",
            (database, table),
        )
        rows = cur.fetchall()
    keys: dict[str, list[str]] = {}
    for index, column in rows:
        keys.setdefault(str(index), []).append(str(column))
    return keys


def database_size(conn: Session, database: str) -> tuple[int, int]:
    """(tables and views, bytes of data + indexes) of a database."""
    row = mysql_catalog.fetch_one(
        conn,
        "SELECT COUNT(*), COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0)"
        " FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s",
        database,
    )
    return (int(row[0]), int(row[1])) if row else (0, 0)


def content_hash(conn: Session, database: str, table: str, column_names: list[str]) -> str:
    """Rows and an order-independent hash of the given columns, to tell if two copies agree.

    Each row hashes to MD5 over the hex of its values (NULL marked apart from ''); the
    aggregate is the row count, the XOR of 64 bits of each hash and the sum of 32 others,
    so duplicate rows (which cancel in an XOR) still count.
    """
    if not column_names:
        parts = "''"
    else:
        parts = ", ".join(f"IFNULL(HEX({ident(c)}), 'N')" for c in column_names)
    row = f"MD5(CONCAT_WS(',', {parts}))"
    sql = (
        f"SELECT COUNT(*), COALESCE(BIT_XOR(CAST(CONV(LEFT({row}, 16), 16, 10) AS UNSIGNED)), 0),"
        f" COALESCE(SUM(CONV(RIGHT({row}, 8), 16, 10)), 0)"
        f" FROM {ident(database)}.{ident(table)}"
    )
    with conn.cursor() as cur:
        cur.execute(sql)
        found = cur.fetchone()
    return ":".join(str(v) for v in found) if found else ""


def server_identity(conn: Session) -> tuple[str, ...]:
    """Which server this is, whatever name or address reached it (host, port, datadir)."""
    with conn.cursor() as cur:
        cur.execute("SELECT @@hostname, @@port, @@datadir")
        row = cur.fetchone()
    return tuple(str(v) for v in row) if row else ()


def routines(conn: Session, database: str) -> set[tuple[str, str]]:
    """(PROCEDURE | FUNCTION | EVENT, name) of the stored programs of a database."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES"
            " WHERE ROUTINE_SCHEMA = %s"
            " UNION ALL SELECT 'EVENT', EVENT_NAME FROM information_schema.EVENTS"
            " WHERE EVENT_SCHEMA = %s",
            (database, database),
        )
        return {(str(kind), str(name)) for kind, name in cur.fetchall()}
