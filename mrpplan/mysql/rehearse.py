"""Run one DDL statement on empty copies of the tables it names: what it will leave.

Before the executor runs a DDL statement it journals the tables' texts now and the texts
this rehearsal predicts, so that after a crash of the server itself `recover` can tell
"took effect as planned" from "did not run" and from "changed otherwise" (a copy ALTER
that the server's crash recovery rolled forward without its foreign keys). The copies are
empty tables in a scratch database of their own (`_mrpplan_expect_<database>`), made with
foreign-key checks off, so a rehearsal costs a few statements on empty tables.

Only statements whose targets `plan/live.py` `touched_objects` knows for certain get here
(plain table DDL naming no other database); one that names the target database anyway is
never run.

A statement the plan already ran is not run again (`remember`, `measured`): building the
desired schema ran each migration statement in the workspace, on tables whose SHOW CREATE
texts it read before and after. When the live tables' texts now are exactly those before
texts, on a server of exactly the same version, that run was this rehearsal, done earlier:
the same statement on tables with the same definitions (empty, as the copies are), and with
the rest of the schema around them and foreign-key checks on, as in the real run. Its after
texts are what a rehearsal now would return; anything that differs (a text, the version,
a name the plan did not measure) rehearses on the copies as before.
"""

from __future__ import annotations

import contextlib
import json
import threading
import weakref
from collections.abc import Collection, Mapping

import pymysql

from mrpplan.mysql.connection import Session, server_version
from mrpplan.mysql.inspect import existing_texts
from mrpplan.mysql.quote import ident

EXPECT_PREFIX = "_mrpplan_expect_"


def scratch_name(database: str) -> str:
    return (EXPECT_PREFIX + database)[:64]


def rehearse(
    conn: Session,
    database: str,
    statement: str,
    before: Mapping[str, str],
    names: Collection[str],
) -> dict[str, str] | None:
    """The SHOW CREATE texts `names` will have after `statement` (absent: left out), or
    None when it cannot be rehearsed (it names a database, reads other tables, ...)."""
    if database.lower() in statement.lower():
        return None  # it may name the real database: never run it outside the scratch
    known = measured(_version(conn), statement, before, names)
    if known is not None:
        return known
    if conn in _HELD:
        after = _rehearse(conn, database, statement, before, names, _HELD[conn])
        if after is not None:
            return after
    return _rehearse(conn, database, statement, before, names, None)


# What each session's scratch database holds after its rehearsals, as far as known: table
# -> its SHOW CREATE text (None: absent). A migration's ALTERs follow each other on the same
# tables, so the copy a rehearsal leaves is usually what the next one starts from: a table
# whose text is already the one wanted is neither dropped nor made again.
_HELD: weakref.WeakKeyDictionary[Session, dict[str, str | None]] = weakref.WeakKeyDictionary()


def _rehearse(
    conn: Session,
    database: str,
    statement: str,
    before: Mapping[str, str],
    names: Collection[str],
    held: dict[str, str | None] | None,
) -> dict[str, str] | None:
    """One rehearsal; `held`: what the scratch holds (None: not known, start afresh)."""
    _HELD.pop(conn, None)  # not known while it changes
    known = held or {}
    scratch = scratch_name(database)
    try:
        with conn.cursor() as cur:
            if held is None:
                cur.execute(
                    "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s", (scratch,)
                )
                if cur.fetchone() is None:  # made once (`prepare_scratch`): see its docstring
                    cur.execute(f"CREATE DATABASE {ident(scratch)}")
            cur.execute(f"USE {ident(scratch)}")
            cur.execute("SET @mrpplan_fk_checks = @@foreign_key_checks, foreign_key_checks = 0")
            try:
                ready = {n for n in known if known[n] == before.get(n)}  # as wanted already
                for name in sorted((set(names) | set(before)) - ready):
                    if name not in known or known[name] is not None:
                        cur.execute(f"DROP TABLE IF EXISTS {ident(name)}")
                for name, text in before.items():
                    if name not in ready:
                        cur.execute(text)
                cur.execute(statement)
                after = existing_texts(conn, scratch, names)
            finally:
                cur.execute(f"USE {ident(database)}")
                cur.execute("SET foreign_key_checks = @mrpplan_fk_checks")
    except pymysql.err.MySQLError:
        return None
    # a table naming one of these (its foreign keys follow a rename) may have changed too
    quoted = ["`" + name.replace("`", "``") + "`" for name in names]
    unchanged = {
        table: text
        for table, text in known.items()
        if text is None or not any(q in text for q in quoted)
    }
    _HELD[conn] = {**unchanged, **{name: after.get(name) for name in names}}
    return after


# Statements the plan ran in the workspace (module docstring): (server version, statement)
# -> {the named tables' texts before, as canonical JSON: their texts after}
_MEASURED: dict[tuple[str, str], dict[str, dict[str, str]]] = {}
_MEASURED_LOCK = threading.Lock()
_VERSIONS: weakref.WeakKeyDictionary[Session, str] = weakref.WeakKeyDictionary()


def remember(
    version: str, statement: str, before: Mapping[str, str], after: Mapping[str, str]
) -> None:
    """`statement` ran on a server of `version`: the tables it names (the ones that existed)
    had the texts `before`, and `after` once it ran (absent: left out)."""
    with _MEASURED_LOCK:
        _MEASURED.setdefault((version, statement), {})[_key(before)] = dict(after)


def measured(
    version: str, statement: str, before: Mapping[str, str], names: Collection[str]
) -> dict[str, str] | None:
    """What `remember` was told `statement` left, starting from exactly `before` on a server
    of exactly `version`; None when it was not measured so."""
    with _MEASURED_LOCK:
        after = _MEASURED.get((version, statement), {}).get(_key(before))
    if after is None or not set(after) <= set(names):
        return None
    return dict(after)


def _key(texts: Mapping[str, str]) -> str:
    return json.dumps(sorted(texts.items()))


def _version(conn: Session) -> str:
    """The server's VERSION(), read once per session."""
    if conn not in _VERSIONS:
        _VERSIONS[conn] = server_version(conn)
    return _VERSIONS[conn]


def prepare_scratch(conn: Session, database: str) -> None:
    """Made before the first step, so that no migration or seed step's session counters
    show a CREATE DATABASE of mrpplan's own (`apply/server_guard.py` attributes database
    changes to a step by those counters)."""
    with contextlib.suppress(pymysql.err.MySQLError), conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE IF NOT EXISTS {ident(scratch_name(database))}")


def drop_scratch(conn: Session, database: str) -> None:
    """The scratch database goes at the end of an apply and in `recover`."""
    _HELD.pop(conn, None)
    with contextlib.suppress(pymysql.err.MySQLError), conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {ident(scratch_name(database))}")
