"""Read a live database's state: its schema (through the schema engine) and history rows."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from mrpplan.mysql.connection import Session
from mrpplan.mysql.quote import ident
from mrpplan.plan.fingerprint import DatabaseState, object_digests, state_fingerprint

SCHEMA_HISTORY = "mrpplan_schema_history"
SEED_HISTORY = "mrpplan_seed_history"


def read_state(conn: Session, database: str) -> DatabaseState:
    """The schema and the version/checksum columns of mrpplan's history tables."""
    from mrpplan.mysql.inspect import inspect_schema

    schema = inspect_schema(conn, database)
    schema_rows, seed_rows, present = _history(conn, database)
    return DatabaseState(
        schema=schema,
        schema_history=schema_rows,
        seed_history=seed_rows,
        has_history_table=SCHEMA_HISTORY in present,
        objects=object_digests(schema),
        history_tables=frozenset(present),
    )


def objects_fingerprint(conn: Session, database: str, names: Collection[str]) -> str:
    """A fingerprint of just the named tables/views and mrpplan's history rows.

    For the apply executor: before and after each statement of a step, fingerprinting the
    whole database costs a SHOW CREATE per table, which makes an apply O(steps x tables).
    This reads only the named tables and views (a name that does not exist counts as
    absent, so a CREATE or DROP changes it), the tables whose foreign keys reference them,
    the triggers on all of these, and the schema/seed history rows: a few queries.

    It is comparable only with itself for the same `names` (not with a plan's prior or
    desired fingerprint): store it per step, and compare it after a crash (`recover`) with
    `objects_fingerprint` of the same names. Get the names with `touched_objects`; when
    that returns None, use the whole-database fingerprint (`read_state(...).fingerprint`).
    """
    from mrpplan.mysql.inspect import inspect_objects

    schema = inspect_objects(conn, database, names)
    schema_rows, seed_rows, _ = _history(conn, database)
    return state_fingerprint(schema.fingerprint(), schema_rows, seed_rows)


def statement_fingerprint(conn: Session, database: str, statement: str) -> str | None:
    """What `recover` compares to tell whether one statement of a step took effect: the
    verbatim text of the tables it creates, alters, renames or drops (absent ones count as
    absent, mrpplan's own trash tables too), and mrpplan's history rows when it writes them.

    A table statement changes only what it names (its triggers move or go with the table),
    so the tables referencing those are left out: each lookup is by name, and an apply
    stays linear in its statements whatever the size of the database. None when the
    statement's targets cannot be known (then use the whole-database fingerprint).
    """
    return statement_fingerprints(conn, database, [statement])[0]


def statement_fingerprints(
    conn: Session, database: str, statements: Sequence[str]
) -> list[str | None]:
    """`statement_fingerprint` of each statement, reading the tables they name at once
    (the creates of a new database are journaled in batches)."""
    return [p for p, _ in statement_expectations(conn, database, statements, rehearse=False)]


@dataclass(frozen=True)
class Expectation:
    """The tables one statement names (SHOW CREATE texts; absent ones left out) before it
    runs and, rehearsed on empty copies, after it (None: it could not be rehearsed). The
    journal keeps it, so that after a crash `recover` can tell "took effect as planned"
    (matches `after`), "did not run" (matches `before`) and "changed otherwise"."""

    index: int
    names: tuple[str, ...]
    before: dict[str, str]
    after: dict[str, str] | None

    def document(self) -> str:
        return json.dumps(
            {
                "statement": self.index,
                "names": self.names,
                "before": self.before,
                "after": self.after,
            },
            sort_keys=True,
        )

    @staticmethod
    def read(text: str | None) -> Expectation | None:
        try:
            doc = json.loads(text or "")
            return Expectation(
                int(doc["statement"]), tuple(doc["names"]), dict(doc["before"]), doc["after"]
            )
        except (ValueError, KeyError, TypeError):
            return None


def statement_expectations(
    conn: Session,
    database: str,
    statements: Sequence[str],
    *,
    rehearse: bool = True,
    first_index: int = 0,
) -> list[tuple[str | None, Expectation | None]]:
    """(`statement_fingerprint`, Expectation) of each statement; `rehearse`: predict the
    texts after each (mysql/rehearse.py), else `after` is None."""
    from mrpplan.mysql.inspect import existing_texts
    from mrpplan.mysql.rehearse import rehearse as run_on_copies

    named = [touched_objects([statement]) for statement in statements]
    every = set().union(*(names for names in named if names is not None))
    texts = existing_texts(conn, database, every)
    history = None
    found: list[tuple[str | None, Expectation | None]] = []
    for offset, (statement, names) in enumerate(zip(statements, named, strict=True)):
        if names is None:
            found.append((None, None))
            continue
        objects = {n: texts[n] for n in names if n in texts}
        document: dict[str, Any] = {"objects": objects}
        if _OWN_ROWS.match(statement):
            history = history or _history(conn, database)
            document["history"] = [sorted(history[0]), sorted(history[1])]
        text = json.dumps(document, sort_keys=True, separators=(",", ":"))
        after = (
            run_on_copies(conn, database, statement, objects, names) if rehearse and names else None
        )
        expectation = Expectation(first_index + offset, tuple(sorted(names)), objects, after)
        found.append((hashlib.sha256(text.encode()).hexdigest(), expectation))
    return found


_NO_OBJECT = re.compile(r"^\s*(SET|DO)\s", re.I)
# the copy of a dropped column's values that mrpplan makes before a migration drops it
# (desired/trace.py): it creates only its trash table and reads the source
_TRASH_COPY = re.compile(
    r"^\s*CREATE\s+TABLE\s+`(_mrpplan_trash_(?:[^`]|``)+)`\s+ENGINE=InnoDB\s+AS\s+SELECT\s", re.I
)
_OWN_ROWS = re.compile(
    r"^\s*(INSERT\s+(IGNORE\s+)?INTO|REPLACE\s+INTO|DELETE\s+FROM|UPDATE)\s+"
    rf"`?({SCHEMA_HISTORY}|{SEED_HISTORY})`?\s",
    re.I,
)


def touched_objects(statements: Iterable[str]) -> frozenset[str] | None:
    """The tables a step's statements create, alter, rename or drop, or None when that
    is not certain (DML on user tables, views, routines, ...: use the whole fingerprint).

    SET/DO statements and writes to mrpplan's history tables name no object: the history
    rows are part of `objects_fingerprint` anyway.
    """
    from mrpplan.sqlfiles.ddl_targets import ddl_targets

    names: set[str] = set()
    for statement in statements:
        if _NO_OBJECT.match(statement) or _OWN_ROWS.match(statement):
            continue
        copy = _TRASH_COPY.match(statement)
        if copy:
            names.add(copy.group(1).replace("``", "`"))
            continue
        targets = ddl_targets(statement)
        if targets is None:
            return None
        names |= targets.changed
    return frozenset(names)


def _history(
    conn: Session, database: str
) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]], set[str]]:
    """(schema history (version, checksum) rows, seed history rows, which history tables
    exist)."""
    from mrpplan.mysql.inspect import existing_tables

    present = existing_tables(conn, database, (SCHEMA_HISTORY, SEED_HISTORY))
    schema_rows: frozenset[tuple[str, str]] = frozenset()
    seed_rows: frozenset[tuple[str, str]] = frozenset()
    if SCHEMA_HISTORY in present:
        schema_rows = _pairs(
            conn,
            f"SELECT version, checksum FROM {ident(database)}.{ident(SCHEMA_HISTORY)} "
            "WHERE COALESCE(success, 1) = 1",
        )
    if SEED_HISTORY in present:
        from mrpplan.mysql import seed_history

        seed_rows = seed_history.latest_checksums(conn, database)
    return schema_rows, seed_rows, present


def _pairs(conn: Session, sql: str) -> frozenset[tuple[str, str]]:
    with conn.cursor() as cur:
        cur.execute(sql)
        return frozenset((str(a), str(b or "")) for a, b in cur.fetchall())


def empty_state() -> DatabaseState:
    from mrpplan.model.schema import Schema

    return DatabaseState(schema=Schema())
