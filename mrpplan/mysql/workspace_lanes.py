"""A fresh workspace build's leading table DDL, run on two sessions at once.

A cold plan runs every statement of the project in the workspace. The server spends much
of a CREATE or ALTER TABLE waiting for its files, not computing (measured on the ERP bench
schema: 2.6 s of server CPU in a 4.4 s load), so a second session finishes the same
statements sooner. Only what gives the same result on two sessions as on one runs so:
from an empty scratch database, the leading statements that are CREATE/ALTER/DROP TABLE
or CREATE/DROP INDEX naming known tables of that database (`ddl_targets`), with no
RENAME. Each waits for every earlier one that names one of its tables, a table linked to
one of those by a foreign key, or a constraint name it declares (constraint names are per
database). So each statement meets the tables it reads exactly as a run in order would
leave them; when statements fail, the first in order is reported, with its own error, after
every statement before it has run (as in order, the ones after it do not matter: the
scratch database is dropped). Each file ends with every statement of it done, so the
workspace's watch measures the file's effects on the server as before, on both sessions.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Sequence

import pymysql

from mrpplan.mysql.connection import Session
from mrpplan.sqlfiles.ddl_targets import ddl_targets
from mrpplan.sqlfiles.split import SqlStatement
from mrpplan.sqlfiles.tokens import Token, tokenize

LANES = 2
WORTH_IT = 16  # fewer leading statements than this: a second login costs more than it saves
_AHEAD = 64  # how far past the first unfinished statement a free lane looks for work
_PLAIN = re.compile(r"^\s*(CREATE|ALTER|DROP)\s", re.I)
_IBFK = re.compile(r"^(.*)_ibfk_\d+$", re.I)

Runner = Callable[[pymysql.cursors.Cursor, SqlStatement], None]


def lane_prefix(statements: Sequence[SqlStatement]) -> int:
    """How many leading statements may run on two sessions (module doc)."""
    for n, statement in enumerate(statements):
        if _keys(statement.text) is None:
            return n
    return len(statements)


def run_in_lanes(
    sessions: Sequence[Session],
    statements: Sequence[SqlStatement],
    run: Runner,
    file_done: Callable[[SqlStatement], None],
) -> None:
    """Run `statements` (all of `lane_prefix`) on `sessions`, a file at a time; after each
    file, `file_done(its last statement)` with every session idle."""
    waits = _waits(statements)
    lanes = _Lanes(sessions, statements, run)
    try:
        start = 0
        while start < len(statements):
            end = start
            while end < len(statements) and statements[end].file == statements[start].file:
                end += 1
            lanes.run_range(start, end, waits)
            file_done(statements[end - 1])
            start = end
    finally:
        lanes.close()


def _waits(statements: Sequence[SqlStatement]) -> list[set[int]]:
    """For each statement, the earlier ones it must wait for."""
    last: dict[str, int] = {}
    linked: dict[str, set[str]] = {}
    out: list[set[int]] = []
    for n, statement in enumerate(statements):
        keys = _keys(statement.text)
        assert keys is not None  # lane_prefix admitted it
        tables, referenced, constraints = keys
        names = tables | referenced
        for name in list(names):
            names |= linked.get(name, set())
        for table in tables:
            for parent in referenced:
                linked.setdefault(table, set()).add(parent)
                linked.setdefault(parent, set()).add(table)
        every = {f"table {t}" for t in names} | {f"constraint {c}" for c in constraints}
        out.append({last[k] for k in every if k in last})
        for key in every:
            last[key] = n
    return out


def _keys(text: str) -> tuple[set[str], set[str], set[str]] | None:
    """(tables changed, tables referenced, constraint names declared), lower-cased; None
    when the statement may not run on two sessions."""
    if not _PLAIN.match(text):
        return None
    targets = ddl_targets(text)
    if targets is None:
        return None
    tokens = tokenize(text)
    if any(t.word("RENAME", "TEMPORARY") for t in tokens):
        return None
    tables = {n.lower() for n in targets.changed}
    constraints = _constraint_names(tokens)
    for name in list(constraints):  # an explicit `t_ibfk_1` is the name t's own may take
        own = _IBFK.match(name)
        if own:
            tables.add(own.group(1))
    return tables, {n.lower() for n in targets.referenced}, constraints


def _constraint_names(tokens: list[Token]) -> set[str]:
    """Names after CONSTRAINT and FOREIGN KEY (MariaDB names a key's constraint after it)."""
    found: set[str] = set()
    for i, token in enumerate(tokens):
        if token.word("CONSTRAINT"):
            at = i + 1
        elif token.word("FOREIGN") and i + 1 < len(tokens) and tokens[i + 1].word("KEY"):
            at = i + 2
        else:
            continue
        while at < len(tokens) and tokens[at].word("IF", "NOT", "EXISTS"):
            at += 1
        named = at < len(tokens) and tokens[at].is_name
        if named and not tokens[at].word("FOREIGN", "PRIMARY", "UNIQUE", "CHECK", "KEY"):
            found.add(tokens[at].name.lower())
    return found


class _Lanes:
    """One thread per session, each running the statements it is handed, one at a time."""

    def __init__(
        self, sessions: Sequence[Session], statements: Sequence[SqlStatement], run: Runner
    ):
        self.statements = statements
        self.run = run
        self.todo: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self.done: queue.SimpleQueue[tuple[int, BaseException | None]] = queue.SimpleQueue()
        self.threads = [
            threading.Thread(target=self._lane, args=(s,), name=f"workspace lane {n}", daemon=True)
            for n, s in enumerate(sessions)
        ]
        for thread in self.threads:
            thread.start()

    def _lane(self, conn: Session) -> None:
        with conn.cursor() as cur:
            while (n := self.todo.get()) is not None:
                try:
                    self.run(cur, self.statements[n])
                except BaseException as exc:  # handed to the coordinating thread
                    self.done.put((n, exc))
                else:
                    self.done.put((n, None))

    def run_range(self, start: int, end: int, waits: list[set[int]]) -> None:
        """Statements start..end-1, each once those it waits for are done; raise the
        first failing one's error (in order) once every statement before it has run."""
        finished = set(range(start))
        started: set[int] = set()
        failed: dict[int, BaseException] = {}
        running, first = 0, start
        while True:
            stop = min(failed, default=end)
            n = first
            while running < len(self.threads) and n < min(stop, first + _AHEAD):
                if n not in started and waits[n] <= finished:
                    started.add(n)
                    self.todo.put(n)
                    running += 1
                n += 1
            if running == 0:
                break
            n, exc = self.done.get()
            running -= 1
            finished.add(n)
            if exc is not None:
                failed[n] = exc
            while first in finished:
                first += 1
        if failed:
            raise failed[min(failed)]

    def close(self) -> None:
        """Let each lane finish its statement and end (on Ctrl-C too)."""
        for _ in self.threads:
            self.todo.put(None)
        for thread in self.threads:
            thread.join()
