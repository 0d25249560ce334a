"""Building the desired schema on the server: a scratch database `_mrpplan_ws_<random>`
in the workspace (`workspace_place`: the sandbox or a workspace account, never the apply
account) runs the statements and is read back with SHOW CREATE, so both sides of a diff
are the server's own text (DESIGN §4.1). The scratch database is always dropped (error,
Ctrl-C; after a build that was read back, by a thread while the command goes on). What to
build and the cache of results are `mrpplan.desired.workspace`'s.

What the statements did outside the scratch database is measured (`server_effects`)
after each file: an account, database or global variable changed refuses the plan naming
the file, as does a statement the workspace account has no privilege for.

An incremental build starts from a cached result (`BuildBase`): the scratch database then
holds just the cached tables the remaining statements involve, and only those are read
back (`_advance` reads again only what each statement names, per `ddl_targets`).
"""

from __future__ import annotations

import contextlib
import re
import secrets
import threading
from collections.abc import Collection, Iterator, Sequence
from dataclasses import replace

import pymysql

from mrpplan.errors import Refused, SqlError
from mrpplan.model.built import BuildBase, Built
from mrpplan.model.schema import Schema
from mrpplan.mysql.connection import Session, session
from mrpplan.mysql.inspect import inspect_objects, inspect_schema
from mrpplan.mysql.privileges import PrivilegeDenied
from mrpplan.mysql.quote import ident, literal
from mrpplan.mysql.server_effects import (
    ServerState,
    effects,
    may_have_effects,
    read_counters,
    read_server_state,
)
from mrpplan.mysql.workspace_lanes import run_in_lanes, worth_it
from mrpplan.mysql.workspace_place import Workspace, record_session
from mrpplan.sqlfiles.ddl_targets import ddl_targets
from mrpplan.sqlfiles.split import SqlStatement

_SWITCHES_DATABASE = re.compile(r"^\s*(USE\s|(CREATE|DROP)\s+(DATABASE|SCHEMA)\b)", re.I)
_UNCHANGED = "Nothing was changed: the statements ran in a scratch database, now dropped."


def build(
    conn: Session,
    workspace: Workspace,
    every: Sequence[SqlStatement],
    first_wanted: int,
    base: BuildBase | None,
) -> list[Built]:
    """Run the statements in a scratch database; read it back after statement
    `first_wanted` - 1 and after each one that follows (only what that one changed)."""
    scratch = f"_mrpplan_ws_{secrets.token_hex(6)}"
    created = built = False
    start = base.start if base else 0
    try:
        with conn.cursor() as cur, _Watch(conn, workspace, scratch) as watch:
            _create_scratch(cur, scratch, workspace)
            created = True
            record_session(conn, workspace)
            conn.select_db(scratch)
            if base is not None:
                _load_tables(cur, base.entry.schema, base.load)
            watch.start()
            if base is None:
                start = _in_lanes(conn, workspace, scratch, every, first_wanted, watch)
            for n, statement in enumerate(every[start:first_wanted], start):
                _run(cur, statement, workspace)
                watch.after(statement, every[n + 1] if n + 1 < len(every) else None)
            entries = [_read(conn, scratch, base)]
            for n, statement in enumerate(every[first_wanted:], first_wanted):
                _run(cur, statement, workspace)
                watch.after(statement, every[n + 1] if n + 1 < len(every) else None)
                entries.append(_advance(conn, scratch, base, entries[-1], statement))
        built = True
        return entries
    finally:
        if created and built:
            _drop_behind(workspace, scratch)
        elif created:
            _drop(conn, workspace, scratch)


def _in_lanes(
    conn: Session,
    workspace: Workspace,
    scratch: str,
    every: Sequence[SqlStatement],
    first_wanted: int,
    watch: _Watch,
) -> int:
    """Run the leading table DDL of a fresh build (up to `first_wanted`, where reading back
    starts) on two sessions (`workspace_lanes`); how many statements ran."""
    if not worth_it(every[:first_wanted]):
        return 0
    with session(workspace.settings, database=scratch) as second:
        record_session(second, workspace)
        watch.observe(second)
        count = run_in_lanes(
            [conn, second],
            every,
            first_wanted,
            lambda cur, statement: _run(cur, statement, workspace),
            watch.after,
        )
        watch.observe(None)
    return count


def _drop_behind(workspace: Workspace, scratch: str) -> None:
    """Drop a scratch database that was read back without waiting for it: the `mariadb`
    client drops it in a process of its own, which outlives the command. Dropping a
    database of many tables takes about a third as long as making it (1,000 tables:
    0.8 s), and the plan needs nothing from it any more. Where the client cannot be
    started, a thread of this process drops it, and the command waits for that thread."""
    from mrpplan.mysql.client_process import start_detached

    statement = f"DROP DATABASE IF EXISTS {ident(scratch)}"
    if start_detached(workspace.settings, statement):
        return

    def drop() -> None:
        with (
            contextlib.suppress(Exception),
            session(workspace.settings, database=None) as fresh,
            fresh.cursor() as cur,
        ):
            cur.execute(statement)

    try:
        threading.Thread(target=drop, name=f"drop {scratch}").start()
    except RuntimeError:  # no new thread (interpreter shutting down)
        drop()


class _Watch:
    """The server's accounts, databases and globals before the first statement and after
    each file's last: a difference refuses the plan naming the file (module doc)."""

    def __init__(self, conn: Session, workspace: Workspace, scratch: str):
        self.conn = conn
        self.workspace = workspace
        self.scratch = scratch
        self.observer: Session | None = None
        self.before: ServerState | None = None
        self.second: tuple[Session, dict[str, int]] | None = None  # (session, its counters)
        self.moved = False  # a closed second session ran what may have effects
        self._closing = contextlib.ExitStack()

    def __enter__(self) -> _Watch:
        self.observer = self._closing.enter_context(session(self.workspace.observer, database=None))
        return self

    def __exit__(self, *_exc: object) -> None:
        self._closing.close()

    def _read(self) -> ServerState:
        assert self.observer is not None
        return read_server_state(self.observer, session=self.conn)

    def start(self) -> None:
        self.before = self._read()

    def observe(self, second: Session | None) -> None:
        """Watch a second session's statements too (None: it is done; what it ran is
        still measured at the end of its last file)."""
        if second is not None:
            self.second = (second, read_counters(second))
        elif self.second is not None:
            self.moved |= self._second_moved()
            self.second = None

    def _second_moved(self) -> bool:
        if self.second is None:
            return False
        conn, counters = self.second
        return may_have_effects(ServerState(counters=counters), read_counters(conn))

    def after(self, statement: SqlStatement, following: SqlStatement | None) -> None:
        if following is not None and following.file == statement.file:
            return
        assert self.before is not None and self.observer is not None
        moved = self.moved or self._second_moved()
        if not moved and not may_have_effects(self.before, read_counters(self.conn)):
            return  # nothing this file ran can have changed the server
        now = self._read()
        self.moved = False
        if self.second is not None:
            self.second = (self.second[0], read_counters(self.second[0]))
        found = effects(self.before, now, ignore={self.scratch})
        self.before = now
        if not found:
            return
        undone = "nothing could be undone"
        with contextlib.suppress(Exception), self.observer.cursor() as cur:
            for sql in found.undo:
                cur.execute(sql)
            undone = "undone: " + "; ".join(found.undo) if found.undo else undone
        raise Refused(
            f"{statement.file}: running it in the workspace changed the server outside its"
            f" scratch database: {'; '.join(found.lines)} ({undone}). The plan is refused:"
            " a migration may change only its own database.",
            unchanged="Nothing was planned; the target database was not touched.",
            hint="remove the statement that reaches accounts, databases or global variables",
        )


def _load_tables(cur: pymysql.cursors.Cursor, schema: Schema, names: frozenset[str]) -> None:
    """Create the cached tables in the scratch database (foreign keys unchecked meanwhile:
    their parents may be absent or created later)."""
    cur.execute("SET @mrpplan_fkc = @@foreign_key_checks, foreign_key_checks = 0")
    for name in sorted(names):
        cur.execute(schema.tables[name].text)  # verbatim: the author's key order
    cur.execute("SET foreign_key_checks = @mrpplan_fkc")


def _read(conn: Session, scratch: str, base: BuildBase | None) -> Built:
    """The scratch database as a result; on an incremental build, merged into the base."""
    found = inspect_schema(conn, scratch)
    if base is None:
        return Built(found, _filled_tables(conn, scratch, found.tables))
    prior = base.entry.schema
    tables = {n: t for n, t in prior.tables.items() if n not in base.load}
    tables.update(found.tables)
    return Built(replace(prior, tables=dict(sorted(tables.items()))), base.entry.filled)


def _advance(
    conn: Session, scratch: str, base: BuildBase | None, prior: Built, statement: SqlStatement
) -> Built:
    """The result after one more statement: when its targets are known, only they (and the
    tables referencing them, and their triggers) are read again."""
    targets = ddl_targets(statement.text)
    if targets is None:
        return _read(conn, scratch, base)
    schema = prior.schema
    # the tables referencing these, from the texts read after the last statement: only a
    # statement that changes a table's foreign keys names that table (so it is read anyway)
    children = schema.referencing(targets.changed)
    read = {name.casefold() for name in (*targets.changed, *children)}
    had_triggers = any((t.table or "").casefold() in read for t in schema.triggers.values())
    found = inspect_objects(
        conn, scratch, targets.changed, referencing=children, triggers=had_triggers
    )
    stale = set(targets.changed) | set(found.tables)
    tables = {n: t for n, t in schema.tables.items() if n not in stale}
    tables.update(found.tables)
    triggers = {n: t for n, t in schema.triggers.items() if t.table not in stale}
    triggers.update(found.triggers)
    filled = None
    if prior.filled is not None:  # DDL moves rows with a renamed table, never adds any
        moved = _filled_tables(conn, scratch, [n for n in targets.changed if n in found.tables])
        filled = (prior.filled - targets.changed) | moved
    return Built(
        replace(
            schema,
            tables=dict(sorted(tables.items())),
            triggers=dict(sorted(triggers.items())),
        ),
        filled,
    )


def _filled_tables(conn: Session, scratch: str, names: Collection[str]) -> frozenset[str]:
    """Which of these scratch tables hold rows (migrations may insert reference data)."""
    ordered = sorted(names)
    filled: set[str] = set()
    with conn.cursor() as cur:
        for i in range(0, len(ordered), 200):
            chunk = ordered[i : i + 200]
            cur.execute(
                " UNION ALL ".join(
                    f"SELECT {literal(n)} FROM DUAL WHERE EXISTS"
                    f" (SELECT 1 FROM {ident(scratch)}.{ident(n)})"
                    for n in chunk
                )
            )
            filled.update(str(row[0]) for row in cur.fetchall())
    return frozenset(filled)


def _create_scratch(cur: pymysql.cursors.Cursor, scratch: str, workspace: Workspace) -> None:
    charset, collation = workspace.charset, workspace.collation
    try:
        cur.execute(f"CREATE DATABASE {ident(scratch)} CHARACTER SET {charset} COLLATE {collation}")
    except pymysql.MySQLError as exc:
        message = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
        raise SqlError(
            f"cannot create the scratch database {scratch} on {workspace.describe()}: {message}",
            errno=exc.args[0] if exc.args and isinstance(exc.args[0], int) else None,
            unchanged="Nothing was changed.",
            hint="the desired schema is built in a scratch database: the workspace account"
            " needs ALL PRIVILEGES on `\\_mrpplan\\_ws\\_%`.* (README: Where plan runs your SQL)",
        ) from None


def _run(cur: pymysql.cursors.Cursor, statement: SqlStatement, workspace: Workspace) -> None:
    from mrpplan.sqlfiles.statement_kinds import judge  # a build's (a cached plan: none)

    where = f"{statement.file}:{statement.line}"
    if _SWITCHES_DATABASE.match(statement.text):
        raise SqlError(
            f"{where}: schema files must not switch or create databases"
            f" ({statement.text.split(None, 2)[0].upper()} ...)",
            statement=statement.text,
            source=where,
            unchanged=_UNCHANGED,
            hint="remove USE/CREATE DATABASE: the environment file names the database",
        )
    verdict = judge(statement)  # every executable comment read as running: the strictest
    if verdict.problem:
        raise SqlError(
            f"{statement.file}:{verdict.line}: mrpplan does not run this statement"
            f" ({verdict.problem})",
            statement=statement.text,
            source=f"{statement.file}:{verdict.line}",
            unchanged=_UNCHANGED,
            hint="schema, migration and seed files change only the environment's own database",
        )
    try:
        cur.execute(statement.text)
        if cur.description is not None:
            cur.fetchall()
    except PrivilegeDenied as exc:
        raise Refused(
            f"{where}: this statement reaches beyond the workspace: it needs the"
            f" {exc.privilege} privilege, which the workspace account does not have"
            f" ({exc.args[1]}). The plan is refused: a migration may change only its own"
            " database.",
            unchanged=f"Nothing was changed: it ran on {workspace.describe()}, in a scratch"
            " database now dropped; the target was not touched.",
            hint="remove the statement that reaches accounts, other databases or the server",
        ) from None
    except pymysql.MySQLError as exc:
        errno = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
        message = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
        raise SqlError(
            f"{where}: the server rejected the statement: {message}",
            statement=statement.text,
            errno=errno,
            source=where,
            unchanged=_UNCHANGED,
        ) from None


def _drop(conn: Session, workspace: Workspace, scratch: str) -> None:
    """Drop the scratch database. After Ctrl-C this connection may be mid-statement: then
    a new connection kills it (so it releases its locks) and drops the database."""
    try:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {ident(scratch)}")
        return
    except BaseException:  # fall through to the fresh connection
        pass
    old_thread = None
    with contextlib.suppress(Exception):
        old_thread = conn.thread_id()
    with (
        contextlib.suppress(Exception),
        session(workspace.settings, database=None) as fresh,
        fresh.cursor() as cur,
    ):
        if old_thread:
            with contextlib.suppress(pymysql.MySQLError):
                cur.execute(f"KILL CONNECTION {int(old_thread)}")
        cur.execute(f"DROP DATABASE IF EXISTS {ident(scratch)}")


@contextlib.contextmanager
def scratch_database(workspace: Workspace, statements: Sequence[SqlStatement]) -> Iterator[Session]:
    """A scratch `_mrpplan_ws_<random>` database holding what `statements` build, for work
    that must not touch a real database (seed idempotency checks); always dropped."""
    with session(workspace.settings, database=None) as conn:
        scratch = f"_mrpplan_ws_{secrets.token_hex(6)}"
        with conn.cursor() as cur:
            _create_scratch(cur, scratch, workspace)
        record_session(conn, workspace)
        try:
            conn.select_db(scratch)
            with conn.cursor() as cur:
                for statement in statements:
                    _run(cur, statement, workspace)
            yield conn
        finally:
            _drop(conn, workspace, scratch)
