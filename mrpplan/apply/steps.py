"""Run and undo one step, journaling before and after every statement.

DDL commits implicitly, so a step's statements run one by one with the fingerprint of the
objects each one changes journaled before it: after a crash, `recover` compares it with
the database to tell whether the statement that was running took effect. Steps made only
of data statements run in one transaction whose last write marks the step done.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pymysql

from mrpplan.config import Environment, Project
from mrpplan.mysql.connection import Session
from mrpplan.mysql.journal import Journal
from mrpplan.plan.kinds import CREATE_TABLE, RunContext, StepServices
from mrpplan.plan.live import (
    objects_fingerprint,
    read_state,
    statement_expectations,
    statement_fingerprints,
    touched_objects,
)
from mrpplan.plan.types import Step

Progress = Callable[[str], None]

_DML = re.compile(r"^\s*(?:/\*.*?\*/\s*)*(INSERT|UPDATE|DELETE|REPLACE|DO)\b", re.I | re.S)
PAUSE_AFTER_STEP = "MRPPLAN_TEST_PAUSE_AFTER_STEP"
# Rehearsed (mysql/rehearse.py): ALTERs of steps that copy the table or whose algorithm is
# not known. Those are what the server's crash recovery can leave half-done (a copy rolled
# forward without its foreign keys); other DDL is atomic, and the fingerprint tells
# whether it ran. Rehearsing costs a few DDL statements on empty tables.
_COPYING = re.compile(r"^\s*ALTER\s", re.I)
_IN_PLACE = frozenset({"instant", "nocopy", "inplace"})


@dataclass
class Progressed:
    """How far one step got: statements run, checkpoint file written."""

    step: Step
    statements_done: int = 0
    artifact: str | None = None
    complete: bool = False
    first: int = 0  # the statement this process started from (a resumed step: not 0)


class StepFailed(Exception):
    def __init__(self, progressed: Progressed, statement: str, error: str, *, lost: bool = False):
        super().__init__(error)
        self.progressed = progressed
        self.statement = statement
        self.error = error
        self.lost = lost  # the connection to the server is gone: nothing can be undone now


class UndoFailed(Exception):
    def __init__(self, step: Step, error: str):
        super().__init__(error)
        self.step = step
        self.error = error


@dataclass
class StepExecutor:
    """Executes steps of one apply on its (locked) connection."""

    project: Project
    env: Environment
    conn: Session
    journal: Journal
    services: StepServices  # what hooks of kinds need from above (mrpplan/wiring.py)
    progress: Progress = field(default=lambda _line: None)
    current: Progressed | None = None  # the step running now (what ran of it so far)
    statement: str = ""  # the statement running now (to name it when the server is gone)
    ahead: set[str] = field(default_factory=set)  # journaled as started by `start_batch`
    unmarked: list[str] = field(default_factory=list)  # of those, run but not marked done

    @property
    def database(self) -> str:
        return self.env.connection.database

    def fingerprint(self) -> str:
        return read_state(self.conn, self.database).fingerprint

    def step_fingerprint(self, step: Step) -> str:
        """What `recover` compares to tell whether a statement of `step` took effect: only the
        objects the step touches (plus history rows), so an apply stays linear in its steps;
        the whole database when the step's targets cannot be known."""
        names = touched_objects(step.sql)
        if names is None:
            return self.fingerprint()
        return objects_fingerprint(self.conn, self.database, names)

    def statement_fingerprint(self, step: Step, index: int) -> str:
        """What `recover` compares to tell whether statement `index` of `step` took effect:
        the objects that statement changes (a few lookups by name, so an apply stays linear
        in its statements); the whole database when they cannot be known."""
        return self._fingerprints([step.sql[index]])[0]

    def expectation(self, step: Step, index: int) -> tuple[str | None, str | None]:
        """Journaled before statement `index` runs: its fingerprint, and the texts of the
        tables it names now and as it will leave them (rehearsed on empty copies), so that
        `recover` can tell after a server crash whether it took effect as planned, did not
        run, or left something else."""
        if index >= len(step.sql):
            return None, None
        statement = step.sql[index]
        found, expect = statement_expectations(
            self.conn,
            self.database,
            [statement],
            first_index=index,
            rehearse=_COPYING.match(statement) is not None and step.algorithm not in _IN_PLACE,
        )[0]
        if found is None:
            found = self.fingerprint()
        return found, expect.document() if expect else None

    def _fingerprints(self, statements: Sequence[str]) -> list[str]:
        found = statement_fingerprints(self.conn, self.database, statements)
        return [f if f is not None else self.fingerprint() for f in found]

    def start_batch(self, steps: Sequence[tuple[Step, int]]) -> None:
        """Journal consecutive `batchable` steps (with their positions) as started in one
        write, each row with the fingerprint of its own statement: after a crash `recover`
        settles each like any other step. `end_batch` marks the ones that ran as done."""
        prints = self._fingerprints([step.sql[0] for step, _ in steps])
        rows = [(step.id, at, fp) for (step, at), fp in zip(steps, prints, strict=True)]
        self.journal.steps_started(rows)
        self.ahead.update(step.id for step, _ in steps)

    def mark_done(self) -> None:
        """One write marks the batch's steps that ran so far as done."""
        if self.unmarked:
            self.journal.steps_done(self.unmarked, statements=1)
            self.unmarked = []

    def end_batch(self, *, failed: bool = False) -> None:
        """Mark the batch's steps that ran as done; after a failure the ones that never ran
        are marked reverted instead (the undo marks the others)."""
        if not failed:
            self.mark_done()
        if failed and self.ahead:
            with contextlib.suppress(Exception):  # the undo reports a lost connection
                for step_id in sorted(self.ahead):
                    self.journal.step_reverted(step_id)
        self.unmarked = []
        self.ahead = set()

    def context(self, step: Step) -> RunContext:
        """What a kind's hooks get to run `step` with."""
        label = f"plan {self.journal.plan_digest[:12]} step {step.id}"
        return RunContext(self.project, self.env, self.conn, self.services, self.progress, label)

    def run(self, step: Step, position: int, *, start: int = 0) -> Progressed:
        """Run `step` from statement `start`; StepFailed carries how far it got."""
        self.current = Progressed(step, statements_done=start, first=start)
        if step.kind.runs_itself:
            return self._hooked(step, position)
        if step.sql and start == 0 and all(_DML.match(s) for s in step.sql):
            return self._transaction(step, position)
        return self._statements(step, position, start)

    def _hooked(self, step: Step, position: int) -> Progressed:
        """A kind that runs itself: its `run` hook, journaled as one unit."""
        fingerprint = self.step_fingerprint(step) if step.sql else None
        self.journal.step_started(step.id, position, fingerprint)
        progressed = self._progressed(step)
        try:
            artifact = step.kind.run(self.context(step), step)
        except Exception as exc:
            raise StepFailed(progressed, "", message_of(exc), lost=lost_connection(exc)) from exc
        progressed.artifact = artifact
        progressed.statements_done = len(step.sql)
        progressed.complete = True
        self.journal.step_done(step.id, artifact=artifact)
        return progressed

    def _transaction(self, step: Step, position: int) -> Progressed:
        self.journal.step_started(step.id, position, None)
        progressed = self._progressed(step)
        self.conn.begin()
        statement = ""
        try:
            with self.conn.cursor() as cur:
                for statement in step.sql:
                    cur.execute(statement)
            self.journal.statement_done(step.id, len(step.sql), None)
            self.journal.step_done(step.id)
            self.conn.commit()
        except BaseException as exc:  # also Ctrl-C: never leave the transaction open
            with contextlib.suppress(Exception):
                self.conn.rollback()
            if isinstance(exc, pymysql.err.MySQLError):
                raise StepFailed(
                    progressed, statement, message_of(exc), lost=lost_connection(exc)
                ) from exc
            raise
        progressed.statements_done = len(step.sql)
        progressed.complete = True
        return progressed

    def _statements(self, step: Step, position: int, start: int) -> Progressed:
        progressed = self._progressed(step)
        batched = step.id in self.ahead and start == 0
        self.ahead.discard(step.id)
        if not batched:
            fingerprint, expect = self.expectation(step, start)
            self.journal.step_started(step.id, position, fingerprint, expect)
            if start:
                self.journal.statement_done(step.id, start, fingerprint, expect)
        for index in range(start, len(step.sql)):
            statement = step.sql[index]
            self.statement = statement
            try:
                with self.conn.cursor() as cur:
                    cur.execute(statement)
            except pymysql.err.MySQLError as exc:
                raise StepFailed(
                    progressed, statement, refusal_text(exc), lost=lost_connection(exc)
                ) from exc
            progressed.statements_done = index + 1
            self.statement = ""
            if index + 1 == len(step.sql):
                break
            fingerprint, expect = self.expectation(step, index + 1)
            self.journal.statement_done(step.id, index + 1, fingerprint, expect)
        progressed.complete = True
        if batched:
            self.unmarked.append(step.id)
        else:
            self.journal.step_done(step.id, statements=len(step.sql))
        return progressed

    def _progressed(self, step: Step) -> Progressed:
        if self.current is None or self.current.step is not step:
            self.current = Progressed(step)
        return self.current

    def undo(self, progressed: Progressed) -> None:
        """Undo what ran of one step: reverse SQL, checkpoint restore, or custom undo."""
        step = progressed.step
        try:
            self._undo(progressed)
        except UndoFailed:
            raise
        except Exception as exc:
            raise UndoFailed(step, message_of(exc)) from exc
        self.journal.step_reverted(step.id)

    def _undo(self, progressed: Progressed) -> None:
        step = progressed.step
        if step.kind.runs_itself:
            if progressed.complete:
                step.kind.undo(self.context(step), step, progressed.artifact)
            return
        reverse = reverse_statements(step, progressed.statements_done)
        if reverse is None:
            if step.checkpoint:
                return  # its checkpoint (undone next) brings the tables back
            raise UndoFailed(
                step,
                f"step {step.id} ({step.action} {step.object}) has no reverse SQL and no "
                "checkpoint: it cannot be undone",
            )
        with self.conn.cursor() as cur:
            for statement in reverse:
                cur.execute(statement)


def reverse_statements(step: Step, done: int) -> list[str] | None:
    """The statements undoing the first `done` statements of `step` (None: not possible)."""
    if done <= 0:
        return []
    if step.reverse_sql is None:
        return None
    total = len(step.sql)
    if done >= total:
        return list(step.reverse_sql)
    if len(step.reverse_sql) == total:
        return list(step.reverse_sql[total - done :])
    return None


_BATCH = 100


def batchable(steps: Sequence[Step]) -> list[Step]:
    """The leading steps that can be journaled in one batch: each creates one table in one
    statement, with no checkpoint (what a new database is made of)."""
    batch: list[Step] = []
    for step in steps[:_BATCH]:
        if step.kind is not CREATE_TABLE or len(step.sql) != 1 or step.checkpoint:
            break
        batch.append(step)
    return batch


def pause_for_tests(step: Step) -> None:
    """Test hook: MRPPLAN_TEST_PAUSE_AFTER_STEP=<id> stops after that step so a test can kill
    the process or race it; it resumes when MRPPLAN_TEST_RESUME_FILE exists (if set) or
    after MRPPLAN_TEST_PAUSE_SECONDS (default 60)."""
    if os.environ.get(PAUSE_AFTER_STEP) != step.id:
        return
    resume = os.environ.get("MRPPLAN_TEST_RESUME_FILE")
    deadline = time.monotonic() + float(os.environ.get("MRPPLAN_TEST_PAUSE_SECONDS", "60"))
    while time.monotonic() < deadline:
        if resume and Path(resume).exists():
            return
        time.sleep(0.05)


# ER_ALTER_OPERATION_NOT_SUPPORTED(_REASON): the ALGORITHM/LOCK an ALTER names is refused
_ALGORITHM_REFUSED = (1845, 1846)


def refusal_text(exc: pymysql.err.MySQLError) -> str:
    """The server's message; for a refused ALGORITHM/LOCK clause also what it means."""
    text = message_of(exc)
    if exc.args and exc.args[0] in _ALGORITHM_REFUSED:
        text += (
            " -- the server refused to run this ALTER with the ALGORITHM and LOCK mrpplan "
            "predicted (the prediction was wrong), so the ALTER did not run and nothing "
            "was blocked"
        )
    return text


def message_of(exc: BaseException) -> str:
    if isinstance(exc, pymysql.err.InterfaceError):
        return "the connection to the database server is closed (the server went away or ended it)"
    if isinstance(exc, pymysql.err.MySQLError) and len(exc.args) >= 2:
        return f"({exc.args[0]}) {exc.args[1]}"
    render = getattr(exc, "render", None)
    return render() if callable(render) else str(exc)


# CR_SERVER_GONE_ERROR, CR_SERVER_LOST, CR_SERVER_LOST_EXTENDED, ER_CONNECTION_KILLED,
# ER_SERVER_SHUTDOWN
_LOST = (2006, 2013, 2055, 1927, 1053)


def lost_connection(exc: BaseException | None) -> bool:
    """The server went away or ended this connection (a crash, a SHUTDOWN, a KILL): the
    statement's outcome is unknown and nothing more can run on this connection."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, pymysql.err.InterfaceError | ConnectionError | BrokenPipeError):
            return True
        if isinstance(exc, pymysql.err.MySQLError) and exc.args and exc.args[0] in _LOST:
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False
