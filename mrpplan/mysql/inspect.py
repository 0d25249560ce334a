"""Read a live database into the model: SHOW CREATE for every object on one connection.

SHOW CREATE TABLE is the server's canonical text, so it is what both sides of a diff are
made of (DESIGN §4.1). Tables are not parsed here: the differ parses only tables whose
text differs. mrpplan's own objects (`mrpplan_*`, `_mrpplan*`) are never part of a schema.
"""

from __future__ import annotations

import re
from collections.abc import Collection

import pymysql

from mrpplan.errors import SqlError
from mrpplan.model.canonical import canonical_table_text, is_mrpplan_object
from mrpplan.model.routine import Routine
from mrpplan.model.schema import Schema
from mrpplan.model.table import Table
from mrpplan.model.view import View
from mrpplan.mysql.connection import Connection
from mrpplan.mysql.quote import ident, literal

_DEFINER = re.compile(r" ?DEFINER=(?:`(?:[^`]|``)*`|'[^']*'|\S+)@(?:`(?:[^`]|``)*`|'[^']*'|\S+)")


def inspect_schema(conn: Connection, database: str) -> Schema:
    """The schema of `database` as canonical texts (no DEFINER, no AUTO_INCREMENT=N)."""
    try:
        return _inspect(conn, database)
    except pymysql.MySQLError as exc:
        raise _read_error(database, exc) from None


def _read_error(database: str, exc: pymysql.MySQLError) -> SqlError:
    errno = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    message = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
    return SqlError(
        f"cannot read the schema of database {database!r}: {message}",
        errno=errno,
        unchanged="Nothing was changed.",
    )


def _inspect(conn: Connection, database: str) -> Schema:
    tables: dict[str, Table] = {}
    views: dict[str, View] = {}
    with conn.cursor() as cur:
        cur.execute(f"SHOW FULL TABLES FROM {ident(database)}")
        listed = [(str(row[0]), str(row[1])) for row in cur.fetchall()]
        for name, kind in sorted(listed):
            if is_mrpplan_object(name):
                continue
            qualified = f"{ident(database)}.{ident(name)}"
            if kind == "VIEW":
                cur.execute(f"SHOW CREATE VIEW {qualified}")
                text = normalize_view(str(cur.fetchone()[1]), database)  # type: ignore[index]
                views[name] = View(name, text)
            else:
                cur.execute(f"SHOW CREATE TABLE {qualified}")
                text = canonical_table_text(str(cur.fetchone()[1]))  # type: ignore[index]
                tables[name] = Table(name, text)
        routines = _routines(cur, database)
        triggers = _triggers(cur, database)
        events = _events(cur, database)
    return Schema(tables, views, routines, triggers, events)


def inspect_objects(conn: Connection, database: str, names: Collection[str]) -> Schema:
    """Only the named tables and views (absent ones are left out), the tables whose foreign
    keys reference them, and the triggers on all of these: a few SHOW CREATEs instead of
    the whole database's, for fingerprinting what one apply step touches."""
    if not names:
        return Schema()
    try:
        with conn.cursor() as cur:
            marks = ", ".join(literal(n) for n in sorted(names))
            kinds = dict(
                _query(
                    cur,
                    "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES"
                    f" WHERE TABLE_SCHEMA = {literal(database)} AND (TABLE_NAME IN ({marks})"
                    " OR TABLE_NAME IN (SELECT TABLE_NAME FROM"
                    " information_schema.REFERENTIAL_CONSTRAINTS"
                    f" WHERE CONSTRAINT_SCHEMA = {literal(database)}"
                    f" AND REFERENCED_TABLE_NAME IN ({marks})))",
                )
            )
            tables: dict[str, Table] = {}
            views: dict[str, View] = {}
            kinds = {n: k for n, k in kinds.items() if not is_mrpplan_object(n)}
            for name, kind in sorted(kinds.items()):
                qualified = f"{ident(database)}.{ident(name)}"
                if kind == "VIEW":
                    views[name] = View(
                        name,
                        normalize_view(_show(cur, f"SHOW CREATE VIEW {qualified}", 1), database),
                    )
                else:
                    tables[name] = Table(
                        name, canonical_table_text(_show(cur, f"SHOW CREATE TABLE {qualified}", 1))
                    )
            triggers = (
                {n: t for n, t in _triggers(cur, database).items() if t.table in kinds}
                if kinds
                else {}
            )
    except pymysql.MySQLError as exc:
        raise _read_error(database, exc) from None
    return Schema(tables, views, {}, triggers, {})


def normalize_view(text: str, database: str) -> str:
    """Drop DEFINER and this database's name (the same view in another database is equal)."""
    text = strip_definer(text)
    return text.replace(f"{ident(database)}.", "")


def strip_definer(text: str) -> str:
    return _DEFINER.sub("", text, count=1)


def _routines(cur: object, database: str) -> dict[str, Routine]:
    rows = _query(
        cur,
        "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES"
        f" WHERE ROUTINE_SCHEMA = {literal(database)} ORDER BY ROUTINE_TYPE, ROUTINE_NAME",
    )
    out: dict[str, Routine] = {}
    for name, kind in rows:
        if is_mrpplan_object(name):
            continue
        text = _show(cur, f"SHOW CREATE {kind} {ident(database)}.{ident(name)}", 2)
        key = name if name not in out else f"{name} ({kind.lower()})"
        out[key] = Routine(kind, name, strip_definer(text))
    return out


def _triggers(cur: object, database: str) -> dict[str, Routine]:
    rows = _query(
        cur,
        "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS"
        f" WHERE TRIGGER_SCHEMA = {literal(database)} ORDER BY TRIGGER_NAME",
    )
    out: dict[str, Routine] = {}
    for name, table in rows:
        if is_mrpplan_object(name) or is_mrpplan_object(table):
            continue
        text = _show(cur, f"SHOW CREATE TRIGGER {ident(database)}.{ident(name)}", 2)
        out[name] = Routine("TRIGGER", name, strip_definer(text), table)
    return out


def _events(cur: object, database: str) -> dict[str, Routine]:
    rows = _query(
        cur,
        "SELECT EVENT_NAME, '' FROM information_schema.EVENTS"
        f" WHERE EVENT_SCHEMA = {literal(database)} ORDER BY EVENT_NAME",
    )
    out: dict[str, Routine] = {}
    for name, _ in rows:
        if is_mrpplan_object(name):
            continue
        text = _show(cur, f"SHOW CREATE EVENT {ident(database)}.{ident(name)}", 3)
        out[name] = Routine("EVENT", name, strip_definer(text))
    return out


def _query(cur: object, sql: str) -> list[tuple[str, str]]:
    cur.execute(sql)  # type: ignore[attr-defined]
    return [(str(a), str(b)) for a, b in cur.fetchall()]  # type: ignore[attr-defined]


def _show(cur: object, sql: str, column: int) -> str:
    cur.execute(sql)  # type: ignore[attr-defined]
    row = cur.fetchone()  # type: ignore[attr-defined]
    return str(row[column]) if row and row[column] is not None else ""
