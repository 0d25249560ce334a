"""Migrations and seeds change their database and nothing else: the server's accounts,
roles, databases and global variables are measured before and after each such step
(`mysql.server_effects`), whatever its SQL text looked like. A difference puts back what
can be put back and fails the step, so the executor undoes the apply, naming the step.
"""

from __future__ import annotations

import contextlib
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
    if not may_have_effects(before, read_counters(conn)):
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


# The snapshot read after the last watched step, when the one before this step: between the
# two only mrpplan's journal writes ran on this session, which change no account, database
# or global, so it is what a snapshot here would hold as far as this session is concerned
# (and another client's change in that gap could only be blamed on the step, never missed).
# Any other step in between (a CREATE DATABASE, a checkpoint) drops it.
_AFTER: weakref.WeakKeyDictionary[Session, ServerState] = weakref.WeakKeyDictionary()


def _before(conn: Session) -> ServerState:
    """The snapshot before a watched step: the last one's after-snapshot with this session's
    counters now (one small read), or a whole new snapshot."""
    last = _AFTER.pop(conn, None)
    if last is None:
        return read_server_state(conn)
    return replace(last, counters=read_counters(conn))
