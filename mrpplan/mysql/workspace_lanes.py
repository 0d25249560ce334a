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

import functools
import queue
import re
import threading
from collections.abc import Callable, Sequence

import pymysql

from mrpplan.mysql.connection import Session
from mrpplan.sqlfiles.ddl_targets import ddl_targets
from mrpplan.sqlfiles.split import SqlStatement
from mrpplan.sqlfiles.tokens import Token, tokenize

WORTH_IT = 16  # fewer leading statements than this: a second login costs more than it saves
_AHEAD = 64  # how far past the first unfinished statement a free lane looks for work
_PLAIN = re.compile(r"^\s*(CREATE|ALTER|DROP)\s", re.I)
_TOKENIZE_FOR = ("RENAME", "TEMPORARY", "CONSTRAINT", "FOREIGN")  # a token has its word's text
_IBFK = re.compile(r"^(.*)_ibfk_\d+$", re.I)

Runner = Callable[[pymysql.cursors.Cursor, SqlStatement], None]


def qualifies(statement: SqlStatement) -> bool:
    """May it run on two sessions (module doc)?"""
    return _keys(statement.text) is not None


def worth_it(statements: Sequence[SqlStatement]) -> bool:
    """Do the first WORTH_IT statements all qualify?"""
    return len(statements) >= WORTH_IT and all(qualifies(s) for s in statements[:WORTH_IT])


def run_in_lanes(
    sessions: Sequence[Session],
    statements: Sequence[SqlStatement],
    limit: int,
    run: Runner,
    after: Callable[[SqlStatement, SqlStatement | None], None],
) -> int:
    """Run the leading statements (before `limit`) that qualify on `sessions`, a file at a
    time; after each file (or the last statement that qualifies), `after(statement, the
    statement that follows)` with every session idle. How many ran."""
    waits = _Waits(statements, limit)
    lanes = _Lanes(sessions, statements, run)
    try:
        start = 0
        while start < waits.end:
            end = lanes.run_file(start, waits)
            after(statements[end - 1], statements[end] if end < len(statements) else None)
            start = end
    finally:
        lanes.close()
    return start


class _Waits:
    """For each statement, the earlier ones it must wait for; `end`: the first one that may
    not run on two sessions (or `limit`), as far as the statements were read."""

    def __init__(self, statements: Sequence[SqlStatement], limit: int):
        self.statements = statements
        self.end = limit
        self.of: list[set[int]] = []
        self._last: dict[str, int] = {}
        self._linked: dict[str, set[str]] = {}
        self.read(1)

    def read(self, upto: int) -> None:
        """Read statements until `upto` of them (or `end`) are known."""
        while len(self.of) < min(upto, self.end):
            n = len(self.of)
            keys = _keys(self.statements[n].text)
            if keys is None:
                self.end = n
                return
            tables, referenced, constraints = keys
            names = tables | referenced
            for name in list(names):
                names |= self._linked.get(name, set())
            for table in tables:
                for parent in referenced:
                    self._linked.setdefault(table, set()).add(parent)
                    self._linked.setdefault(parent, set()).add(table)
            every = {f"table {t}" for t in names} | {f"constraint {c}" for c in constraints}
            self.of.append({self._last[k] for k in every if k in self._last})
            for key in every:
                self._last[key] = n


@functools.lru_cache(maxsize=512)
def _keys(text: str) -> tuple[set[str], set[str], set[str]] | None:
    """(tables changed, tables referenced, constraint names declared), lower-cased; None
    when the statement may not run on two sessions."""
    if not _PLAIN.match(text):
        return None
    targets = ddl_targets(text)
    if targets is None:
        return None
    upper = text.upper()
    tokens = tokenize(text) if any(w in upper for w in _TOKENIZE_FOR) else []
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

    def run_file(self, start: int, waits: _Waits) -> int:
        """The statements of one file from `start` on, as far as they qualify, each once
        those it waits for are done; where they end. The first failing one's error (in
        order) is raised once every statement before it has run. Statements are read for
        their waits while both lanes run earlier ones (the server works meanwhile)."""
        file = self.statements[start].file

        def within(n: int) -> bool:
            waits.read(n + 1)
            return n < waits.end and self.statements[n].file == file

        finished = set(range(start))
        started: set[int] = set()
        failed: dict[int, BaseException] = {}
        running, first = 0, start
        while True:
            stop = min(failed, default=len(self.statements))
            n = first
            while running < len(self.threads) and n < min(stop, first + _AHEAD) and within(n):
                if n not in started and waits.of[n] <= finished:
                    started.add(n)
                    self.todo.put(n)
                    running += 1
                n += 1
            if running == 0:
                break
            if running == len(self.threads):
                waits.read(len(waits.of) + 2)  # a little at a time: a lane may be done
            n, exc = self.done.get()
            running -= 1
            finished.add(n)
            if exc is not None:
                failed[n] = exc
            while first in finished:
                first += 1
        if failed:
            raise failed[min(failed)]
        return first

    def close(self) -> None:
        """Let each lane finish its statement and end (on Ctrl-C too)."""
        for _ in self.threads:
            self.todo.put(None)
        for thread in self.threads:
            thread.join()
