"""After pt-online-schema-change's swap (DESIGN §3.8): the child tables' foreign keys
point at the new table again, the table's constraints get their names back, and the old
table is kept as the trash table (or dropped, after an undo).

Foreign keys of other tables follow the renamed old table (InnoDB renames references with
the table). They are re-pointed with foreign_key_checks off: a metadata-only ALTER of each
child (ALGORITHM=NOCOPY, LOCK=NONE), where the tool's rebuild_constraints would copy each
child while writes to the table wait. The tool renames the table's own constraints
(`x` -> `_x`, `_x` -> `__x`, `__x` -> `x`); the old table still holds the original names
and definitions, so they are matched from there (which also works after a kill).
"""

from __future__ import annotations

import hashlib
import re

from mrpplan.mysql.connection import Session
from mrpplan.mysql.quote import ident
from mrpplan.mysql.shadow import METADATA_ONLY


def settle(conn: Session, database: str, table: str, old: str, keep_old_as: str | None) -> None:
    """After the swap: children re-pointed, the table's constraint names given back (the
    old table still holds them: its foreign keys go first), the old table kept as the
    trash table (or dropped, for an undo)."""
    repoint_children(conn, database, table, old)
    original = show_create(conn, old)
    fks = foreign_key_names(original)
    if fks:
        drops = ", ".join(f"DROP FOREIGN KEY {ident(n)}" for n in fks)
        execute(conn, f"ALTER TABLE {ident(old)} {drops}{METADATA_ONLY}")
    if keep_old_as:
        execute(conn, f"RENAME TABLE {ident(old)} TO {ident(keep_old_as)}")
    else:
        execute(conn, f"DROP TABLE {ident(old)}")
    statement = rename_back_sql(table, original, show_create(conn, table))
    if statement:
        execute(conn, statement)


def repoint_children(conn: Session, database: str, table: str, old: str) -> list[str]:
    """Foreign keys that followed the renamed old table point at `table` again, under their
    own names (two metadata-only ALTERs per child: a name cannot be dropped and added in
    one statement)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT table_name, constraint_name FROM information_schema.referential_constraints "
            "WHERE constraint_schema = %s AND referenced_table_name = %s AND table_name <> %s "
            "ORDER BY table_name, constraint_name",
            (database, old, old),
        )
        rows = [(str(t), str(c)) for t, c in cur.fetchall()]
    children: dict[str, list[str]] = {}
    for child, name in rows:
        children.setdefault(child, []).append(name)
    for child, names in children.items():
        bodies = _constraints(show_create(conn, child))
        moved = {
            n: bodies[n].replace(f"REFERENCES {ident(old)}", f"REFERENCES {ident(table)}", 1)
            for n in names
            if n in bodies
        }
        temporary = {n: _temporary_name(child, n) for n in moved}
        first = [
            f"DROP FOREIGN KEY {ident(n)}, ADD CONSTRAINT {ident(temporary[n])} {b}"
            for n, b in moved.items()
        ]
        second = [
            f"DROP FOREIGN KEY {ident(temporary[n])}, ADD CONSTRAINT {ident(n)} {b}"
            for n, b in moved.items()
        ]
        for items in (first, second):
            execute(
                conn,
                f"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE {ident(child)} "
                + ", ".join(items)
                + METADATA_ONLY,
            )
    return sorted(children)


def _temporary_name(child: str, name: str) -> str:
    digest = hashlib.sha256(f"{child}.{name}".encode()).hexdigest()[:16]
    return f"_mrpplan_fk_{digest}"


def rename_back_sql(table: str, before: str, after: str) -> str | None:
    """One ALTER giving back the foreign key and index names the tool changed (matched by
    their name without leading underscores and their unchanged definition)."""
    old_fks, new_fks = _constraints(before), _constraints(after)
    old_keys, new_keys = _keys(before), _keys(after)
    items: list[str] = []
    for name, body in new_fks.items():
        original = _renamed_from(name, body, old_fks, new_fks)
        if original:
            items += [f"DROP FOREIGN KEY {ident(name)}", f"ADD CONSTRAINT {ident(original)} {body}"]
    for name, body in new_keys.items():
        original = _renamed_from(name, body, old_keys, new_keys)
        if original:
            items.append(f"RENAME INDEX {ident(name)} TO {ident(original)}")
    if not items:
        return None
    return (
        f"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE {ident(table)} "
        + ", ".join(items)
        + METADATA_ONLY
    )


def _renamed_from(name: str, body: str, old: dict[str, str], new: dict[str, str]) -> str | None:
    if name in old:
        return None
    for original, original_body in old.items():
        if original not in new and original.lstrip("_") == name.lstrip("_"):
            return original if _same_body(original_body, body) else None
    return None


def _same_body(a: str, b: str) -> bool:
    return a == b


def show_create(conn: Session, table: str) -> str:
    with conn.cursor() as cur:
        cur.execute(f"SHOW CREATE TABLE {ident(table)}")
        row = cur.fetchone()
    return str(row[1]) if row else ""


def foreign_key_names(create: str) -> list[str]:
    return list(_constraints(create))


_FK_LINE = re.compile(r"^\s*CONSTRAINT `((?:[^`]|``)+)` (FOREIGN KEY .*?),?$")
_KEY_LINE = re.compile(r"^\s*((?:UNIQUE |FULLTEXT |SPATIAL )?KEY) `((?:[^`]|``)+)` (.*?),?$")


def _constraints(create: str) -> dict[str, str]:
    found = (_FK_LINE.match(line) for line in create.splitlines())
    return {m.group(1).replace("``", "`"): m.group(2) for m in found if m}


def _keys(create: str) -> dict[str, str]:
    found = (_KEY_LINE.match(line) for line in create.splitlines())
    return {m.group(2).replace("``", "`"): f"{m.group(1)} {m.group(3)}" for m in found if m}


def execute(conn: Session, statement: str) -> None:
    with conn.cursor() as cur:
        cur.execute(statement)
