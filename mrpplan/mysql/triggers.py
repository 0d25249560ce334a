"""Set triggers aside while rows are reloaded (a data-only restore must not fire them),
then put them back exactly: same definer, body, sql_mode, character set and order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mrpplan.mysql.connection import Session
from mrpplan.mysql.quote import ident


@dataclass(frozen=True)
class TriggerDef:
    name: str
    table: str
    statement: str  # SHOW CREATE TRIGGER's "SQL Original Statement"
    sql_mode: str
    charset: str
    collation: str


def triggers_on(conn: Session, database: str, tables: Sequence[str]) -> list[TriggerDef]:
    """Triggers of `tables`, in the order they run (so re-creating keeps ACTION_ORDER)."""
    if not tables:
        return []
    found: list[TriggerDef] = []
    with conn.cursor() as cur:
        cur.execute(
            "SELECT trigger_name, event_object_table FROM information_schema.triggers "
            "WHERE trigger_schema = %s AND event_object_table IN ("
            + ", ".join(["%s"] * len(tables))
            + ") ORDER BY event_object_table, event_manipulation, action_timing, action_order",
            (database, *tables),
        )
        for name, table in list(cur.fetchall()):
            cur.execute(f"SHOW CREATE TRIGGER {ident(database)}.{ident(str(name))}")
            row = cur.fetchone()
            assert row is not None
            found.append(
                TriggerDef(
                    str(name), str(table), str(row[2]), str(row[1]), str(row[3]), str(row[4])
                )
            )
    return found


def drop_triggers(conn: Session, database: str, triggers: Sequence[TriggerDef]) -> None:
    with conn.cursor() as cur:
        for trigger in triggers:
            cur.execute(f"DROP TRIGGER IF EXISTS {ident(database)}.{ident(trigger.name)}")


def create_triggers(conn: Session, database: str, triggers: Sequence[TriggerDef]) -> None:
    """Re-create in the saved order, each under its own sql_mode and character set."""
    with conn.cursor() as cur:
        cur.execute(f"USE {ident(database)}")
        cur.execute("SELECT @@SESSION.sql_mode")
        saved = cur.fetchone()
        try:
            for trigger in triggers:
                cur.execute("SET SESSION sql_mode = %s", (trigger.sql_mode,))
                cur.execute(f"SET NAMES {trigger.charset} COLLATE {trigger.collation}")
                cur.execute(f"DROP TRIGGER IF EXISTS {ident(trigger.name)}")
                cur.execute(trigger.statement)
        finally:
            cur.execute("SET NAMES utf8mb4")
            cur.execute("SET SESSION sql_mode = %s", (saved[0] if saved else "",))
