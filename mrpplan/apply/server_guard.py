"""Migrations and seeds change their database and nothing else: the server's accounts,
roles, databases and global variables are measured before and after each such step
(`mysql.server_effects`), whatever its SQL text looked like. A difference puts back what
can be put back and fails the step, so the executor undoes the apply, naming the step.
"""

from __future__ import annotations

import contextlib
import time
import weakref
from collections.abc import Callable
from dataclasses import replace

from mrpplan.apply.steps import Progressed, StepFailed
from mrpplan.mysql.connection import Session
from mrpplan.mysql.server_effects import (
    ServerState,
    effects,
    may_have_effects,
    read_counters,
    read_server_state,
)
from mrpplan.plan.types import Step


def watched(conn: Session, step: Step, run: Callable[[], Progressed]) -> Progressed:
    """Run the step; StepFailed when it changed the server outside its database."""
    if not step.kind.author_sql:
        _AFTER.pop(conn, None)
        return run()
    before = _before(conn)
    progressed = run()
    counters = read_counters(conn)
    if not may_have_effects(before, counters, ran_sql=_ran_sql(step, progressed)):
        _AFTER[conn] = replace(before, counters=counters)  # nothing this step ran moved it
        return progressed
    after = read_server_state(conn)
    found = effects(before, after)
    if not found:
        _AFTER[conn] = after
        return progressed
    put_back: list[str] = []
    with contextlib.suppress(Exception), conn.cursor() as cur:
        for statement in found.undo:
            cur.execute(statement)
            put_back.append(statement)
    left = "; put back: " + "; ".join(put_back) if put_back else ""
    if len(put_back) < len(found.lines):
        left += "; the rest could not be put back by mrpplan"
    _AFTER.pop(conn, None)
    raise StepFailed(
        progressed,
        "",
        f"{step.object} changed the server outside its database: "
        f"{'; '.join(found.lines)}{left}. A migration or seed may change only its own "
        "database",
    )


# The snapshot to start the next watched step from: the one read after the last watched
# step, or the one before it when the counters proved that step changed nothing a snapshot
# holds; its counters are those read after that step. Since then only mrpplan's journal
# writes ran on this session: they change no account, database or global, and as row
# writes they count only beside dynamic SQL, where the step's own journal rows count
# anyway. So it is what a snapshot here would hold as far as this session is concerned.
# Another client's change since could only be blamed on the step, never missed; it is read
# again when older than `_FRESH_SECONDS`, which keeps that window about as short as a step.
# Any other step in between (a CREATE DATABASE, a checkpoint) drops it.
_AFTER: weakref.WeakKeyDictionary[Session, ServerState] = weakref.WeakKeyDictionary()
_FRESH_SECONDS = 1.0


def _before(conn: Session) -> ServerState:
    """The snapshot before a watched step: the last one while it is fresh (no read), or a
    whole new snapshot."""
    last = _AFTER.pop(conn, None)
    if last is None or time.monotonic() - last.taken > _FRESH_SECONDS:
        return read_server_state(conn)
    return last


def _ran_sql(step: Step, progressed: Progressed) -> tuple[str, ...]:
    """The step's statements this process ran (a kind that runs itself may run others)."""
    if step.kind.runs_itself:
        return ()
    return step.sql[progressed.first : progressed.statements_done]
