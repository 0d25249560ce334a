"""Shadow tables: replace table data by loading elsewhere and swapping in with one RENAME.

Restore and sync never write the rows of a live table. They load into a scratch database
`_mrpplan_load_<ts>_<db>` on the same server (invisible to the application), mask and check
there, then ONE `RENAME TABLE` moves every replaced table to a trash database
`_mrpplan_trash_<ts>_<db>` and every shadow table into its place. Rollback is the opposite
RENAME; a killed load leaves only the scratch database behind.

Why two extra databases and not `_mrpplan_*` tables in the target (tested on MariaDB 10.11,
see ARCHITECTURE.md "Shadow swap"): InnoDB foreign-key names are unique per database, and a
RENAME carries the constraint name along. A shadow table with the live table's constraints
cannot enter the target while the old table (renamed to a trash name in the same database)
still holds those names: the RENAME fails. With the old tables moved to another database in
the same statement, the names are free. A RENAME also carries the REFERENCES of other
tables along: a kept table whose foreign key points at a replaced table follows it into the
trash, so the swap step re-points those keys (DROP + ADD, in place, checks off). Keys of
trash tables that still point into the target are dropped: a trash row must never block
(or be cascaded from) a write to a live table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from mrpplan.mysql.catalog import fetch_all
from mrpplan.mysql.connection import Session
from mrpplan.mysql.quote import fitted_name, ident

LOAD_PREFIX = "_mrpplan_load_"
TRASH_PREFIX = "_mrpplan_trash_"
_SHADOW_DB = re.compile(r"^_mrpplan_(?:load|trash)_\d{14}_")


def shadow_database(prefix: str, timestamp: str, database: str) -> str:
    """`<prefix><ts>_<db>`, shortened with a hash to fit MariaDB's 64 characters."""
    return fitted_name(f"{prefix}{timestamp}_", database)


def is_shadow_database(name: str) -> bool:
    """A scratch or trash database of a shadow swap (the statement guard allows naming it)."""
    return bool(_SHADOW_DB.match(name))


@dataclass(frozen=True)
class ForeignKey:
    """One foreign key as information_schema describes it."""

    table: str
    name: str
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: tuple[str, ...]
    on_delete: str
    on_update: str

    def add_clause(self, ref_schema: str | None) -> str:
        """`ADD CONSTRAINT ...`; `ref_schema` None writes the reference unqualified."""
        where = f"{ident(ref_schema)}." if ref_schema else ""
        rules = "".join(  # RESTRICT is the default: spelled out, SHOW CREATE would differ
            f" ON {event} {rule}"
            for event, rule in (("DELETE", self.on_delete), ("UPDATE", self.on_update))
            if rule != "RESTRICT"
        )
        return (
            f"ADD CONSTRAINT {ident(self.name)} FOREIGN KEY "
            f"({', '.join(ident(c) for c in self.columns)}) REFERENCES {where}"
            f"{ident(self.ref_table)} ({', '.join(ident(c) for c in self.ref_columns)}){rules}"
        )


def foreign_keys(conn: Session, database: str) -> list[ForeignKey]:
    """Every foreign key declared by a table of `database`, in a stable order."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT k.table_name, k.constraint_name, k.column_name, "
            "k.referenced_table_schema, k.referenced_table_name, k.referenced_column_name, "
            "r.delete_rule, r.update_rule "
            "FROM information_schema.key_column_usage k "
            "JOIN information_schema.referential_constraints r "
            "ON r.constraint_schema = k.constraint_schema "
            "AND r.constraint_name = k.constraint_name AND r.table_name = k.table_name "
            "WHERE k.table_schema = %s AND k.referenced_table_name IS NOT NULL "
            "ORDER BY k.table_name, k.constraint_name, k.ordinal_position",
            (database,),
        )
        rows = cur.fetchall()
    found: dict[tuple[str, str], ForeignKey] = {}
    for table, name, col, ref_schema, ref_table, ref_col, on_delete, on_update in rows:
        key = (str(table), str(name))
        old = found.get(key)
        if old is None:
            found[key] = ForeignKey(
                str(table),
                str(name),
                (str(col),),
                str(ref_schema),
                str(ref_table),
                (str(ref_col),),
                str(on_delete),
                str(on_update),
            )
        else:
            found[key] = ForeignKey(
                old.table,
                old.name,
                (*old.columns, str(col)),
                old.ref_schema,
                old.ref_table,
                (*old.ref_columns, str(ref_col)),
                old.on_delete,
                old.on_update,
            )
    return list(found.values())


@dataclass(frozen=True)
class Swap:
    """What one swap does: which tables move where, and which kept keys follow."""

    database: str
    scratch: str
    trash: str
    replaced: tuple[str, ...]  # live tables that go to the trash and come back from scratch
    created: tuple[str, ...]  # tables the target did not have
    dropped: tuple[str, ...]  # live tables that go to the trash with no replacement
    repointed: tuple[ForeignKey, ...]  # keys of kept tables that reference replaced tables
    detached: tuple[ForeignKey, ...] = ()  # keys of trashed tables into the target's tables


def plan_swap(
    conn: Session,
    database: str,
    timestamp: str,
    *,
    incoming: list[str],
    live: list[str],
    dropped: tuple[str, ...] = (),
    removed: tuple[str, ...] = (),
) -> Swap:
    """Decide a swap from the live database: `incoming` tables come from the scratch db.
    `removed` tables follow in steps of their own (`trash_statements`): their keys are not
    re-pointed, they follow the replaced tables into the trash."""
    moved = set(incoming) | set(dropped)
    keys = foreign_keys(conn, database)
    kept_keys = [
        fk
        for fk in keys
        if fk.table not in moved
        and fk.table not in removed
        and fk.ref_schema == database
        and fk.ref_table in moved
    ]
    trashed = (moved & set(live)) | set(dropped)
    detached = [
        fk
        for fk in keys
        if fk.table in trashed and fk.ref_schema == database and fk.ref_table not in trashed
    ]
    timestamp = _free_timestamp(conn, database, timestamp)
    return Swap(
        database=database,
        scratch=shadow_database(LOAD_PREFIX, timestamp, database),
        trash=shadow_database(TRASH_PREFIX, timestamp, database),
        replaced=tuple(t for t in incoming if t in live),
        created=tuple(t for t in incoming if t not in live),
        dropped=tuple(dropped),
        repointed=tuple(k for k in kept_keys if k.ref_table not in dropped),
        detached=tuple(detached),
    )


def _free_timestamp(conn: Session, database: str, timestamp: str) -> str:
    """The first second from `timestamp` on whose scratch and trash names are free: two
    restores of one database within a second must not share a trash database."""
    moment = datetime.strptime(timestamp, "%Y%m%d%H%M%S")
    while True:
        stamp = moment.strftime("%Y%m%d%H%M%S")
        names = [shadow_database(p, stamp, database) for p in (LOAD_PREFIX, TRASH_PREFIX)]
        with conn.cursor() as cur:
            cur.execute(
                "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (%s, %s)",
                names,
            )
            row = cur.fetchone()
        if not row or not row[0]:
            return stamp
        moment += timedelta(seconds=1)


Pair = tuple[str, str]  # a statement and the statement that undoes it


# Re-pointing a foreign key with foreign_key_checks off changes metadata only; named, so
# the server refuses rather than copy a big child table while writes wait.
METADATA_ONLY = ", ALGORITHM=NOCOPY, LOCK=NONE"


def swap_statements(
    swap: Swap, before: Sequence[Pair] = (), after: Sequence[Pair] = ()
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The swap step's SQL and its reverse (reverse[j] undoes sql[n-1-j]); `before` and
    `after` run around the RENAME (triggers off the moved tables, new views and routines)."""
    db, scratch, trash = ident(swap.database), ident(swap.scratch), ident(swap.trash)
    forward: list[str] = []
    inverse: list[str] = []  # inverse[i] undoes forward[i]

    def add(statement: str, undo: str) -> None:
        forward.append(statement)
        inverse.append(undo)

    add("SET SESSION foreign_key_checks = 0", "SET SESSION foreign_key_checks = 1")
    add(f"CREATE DATABASE {trash}", f"DROP DATABASE IF EXISTS {trash}")
    for statement, undo in before:
        add(statement, undo)
    moves = [f"{db}.{ident(t)} TO {trash}.{ident(t)}" for t in (*swap.replaced, *swap.dropped)]
    moves += [f"{scratch}.{ident(t)} TO {db}.{ident(t)}" for t in (*swap.replaced, *swap.created)]
    back = [f"{db}.{ident(t)} TO {scratch}.{ident(t)}" for t in (*swap.replaced, *swap.created)]
    back += [f"{trash}.{ident(t)} TO {db}.{ident(t)}" for t in (*swap.replaced, *swap.dropped)]
    if moves:
        add("RENAME TABLE " + ", ".join(moves), "RENAME TABLE " + ", ".join(back))
    for fk in swap.repointed:
        table = f"{db}.{ident(fk.table)}"
        add(
            f"ALTER TABLE {table} DROP FOREIGN KEY {ident(fk.name)}{METADATA_ONLY}",
            f"ALTER TABLE {table} {fk.add_clause(swap.trash)}{METADATA_ONLY}",
        )
        add(
            f"ALTER TABLE {table} {fk.add_clause(swap.database)}{METADATA_ONLY}",
            f"ALTER TABLE {table} DROP FOREIGN KEY {ident(fk.name)}{METADATA_ONLY}",
        )
    for statement, undo in after:
        add(statement, undo)
    for fk in swap.detached:  # a trash row must never block (or cascade from) a live row
        add(
            f"ALTER TABLE {trash}.{ident(fk.table)} DROP FOREIGN KEY {ident(fk.name)}"
            + METADATA_ONLY,
            f"ALTER TABLE {trash}.{ident(fk.table)} {fk.add_clause(swap.database)}" + METADATA_ONLY,
        )
    add(f"DROP DATABASE {scratch}", f"CREATE DATABASE {scratch}")
    add("SET SESSION foreign_key_checks = 1", "SET SESSION foreign_key_checks = 0")
    return tuple(forward), tuple(reversed(inverse))


def trash_statements(swap: Swap, table: str) -> tuple[str, str]:
    """Move one live table into the swap's trash database (after the swap), and back."""
    live, trash = f"{ident(swap.database)}.{ident(table)}", f"{ident(swap.trash)}.{ident(table)}"
    return f"RENAME TABLE {live} TO {trash}", f"RENAME TABLE {trash} TO {live}"


def create_scratch(conn: Session, scratch: str, charset: tuple[str, str]) -> None:
    with conn.cursor() as cur:
        cur.execute(
            f"CREATE DATABASE IF NOT EXISTS {ident(scratch)} "
            f"CHARACTER SET {charset[0]} COLLATE {charset[1]}"
        )


def drop_database(conn: Session, name: str) -> None:
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {ident(name)}")


def copy_definitions(work: Session, database: str, tables: Sequence[str]) -> None:
    """Empty shadow tables with the live definitions (foreign keys included, which
    CREATE TABLE ... LIKE would lose), for loads that bring rows only. `work` is a
    connection whose current database is the scratch one."""
    with work.cursor() as cur:
        cur.execute("SET SESSION foreign_key_checks = 0")
        try:
            for table in tables:
                cur.execute(f"SHOW CREATE TABLE {ident(database)}.{ident(table)}")
                row = cur.fetchone()
                assert row is not None  # SHOW CREATE TABLE of a table it listed
                cur.execute(str(row[1]))
        finally:
            cur.execute("SET SESSION foreign_key_checks = 1")


def anchor_foreign_keys(conn: Session, scratch: str, database: str) -> None:
    """Keys of shadow tables that point at tables not in the scratch database (kept tables)
    are re-pointed at the target's, so they stay right after the RENAME."""
    present = set(tables_of(conn, scratch))
    loose = [
        fk
        for fk in foreign_keys(conn, scratch)
        if fk.ref_schema == scratch and fk.ref_table not in present
    ]
    with conn.cursor() as cur:
        cur.execute("SET SESSION foreign_key_checks = 0")
        try:
            for fk in loose:
                table = f"{ident(scratch)}.{ident(fk.table)}"
                cur.execute(f"ALTER TABLE {table} DROP FOREIGN KEY {ident(fk.name)}")
                cur.execute(f"ALTER TABLE {table} {fk.add_clause(database)}")
        finally:
            cur.execute("SET SESSION foreign_key_checks = 1")


def tables_of(conn: Session, database: str) -> list[str]:
    rows = fetch_all(
        conn,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
        "AND table_type = 'BASE TABLE' ORDER BY table_name",
        database,
    )
    return [str(r[0]) for r in rows]


def drop_non_tables(conn: Session, scratch: str) -> None:
    """Views, triggers and routines a dump created in the scratch database: they would not
    move with a RENAME (a table with triggers cannot even change database), so they go."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT table_name FROM information_schema.views WHERE table_schema = %s", (scratch,)
        )
        views = [str(r[0]) for r in cur.fetchall()]
        cur.execute(
            "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = %s",
            (scratch,),
        )
        triggers = [str(r[0]) for r in cur.fetchall()]
        for view in views:
            cur.execute(f"DROP VIEW IF EXISTS {ident(scratch)}.{ident(view)}")
        for trigger in triggers:
            cur.execute(f"DROP TRIGGER IF EXISTS {ident(scratch)}.{ident(trigger)}")


def shadow_databases(conn: Session, database: str, prefix: str) -> list[str]:
    """The scratch or trash databases left for `database` (for recover, drift and purge)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s",
            (prefix.replace("_", "\\_") + "%",),
        )
        names = [str(r[0]) for r in cur.fetchall()]
    return sorted(
        n
        for n in names
        if n == shadow_database(prefix, n[len(prefix) : len(prefix) + 14], database)
    )
