"""Migrations and seeds change their database and nothing else: the server's accounts,
roles, databases and global variables are measured before and after each such step
(`mysql.server_effects`), whatever its SQL text looked like. A difference puts back what
can be put back and fails the step, so the executor undoes the apply, naming the step.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from mrpplan.apply.steps import Progressed, StepFailed
from mrpplan.mysql.connection import Session
from mrpplan.mysql.server_effects import (
    effects,
    may_have_effects,
    read_counters,
    read_server_state,
)
from mrpplan.plan.types import Step


def watched(conn: Session, step: Step, run: Callable[[], Progressed]) -> Progressed:
    """Run the step; StepFailed when it changed the server outside its database."""
    if not step.kind.author_sql:
        return run()
    before = read_server_state(conn)
    progressed = run()
    if not may_have_effects(before, read_counters(conn)):
        return progressed
    found = effects(before, read_server_state(conn))
    if not found:
        return progressed
    put_back: list[str] = []
    with contextlib.suppress(Exception), conn.cursor() as cur:
        for statement in found.undo:
            cur.execute(statement)
            put_back.append(statement)
    left = "; put back: " + "; ".join(put_back) if put_back else ""
    if len(put_back) < len(found.lines):
        left += "; the rest could not be put back by mrpplan"
    raise StepFailed(
        progressed,
        "",
        f"{step.object} changed the server outside its database: "
        f"{'; '.join(found.lines)}{left}. A migration or seed may change only its own "
        "database",
    )
