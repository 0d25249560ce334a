"""After an apply process died: read the journal, then roll back what ran or finish the plan.

The dead apply's lock went with its connection. If its last statement is still running on
the server (a long ALTER), the lock is still held: we wait for it, then tell from the
journaled fingerprint whether that statement took effect.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field

from mrpplan.apply.executor import (
    ApplyResult,
    run_steps,
    undo_all,
    undo_failed_text,
    verify_desired,
)
from mrpplan.apply.journal import Journal, JournalEntry, interrupted_applies, read_entries
from mrpplan.apply.lock import holder_id, holding_lock
from mrpplan.apply.runners import RunContext, runner_for
from mrpplan.apply.steps import Progress, Progressed, StepExecutor, UndoFailed
from mrpplan.config import Environment, Project
from mrpplan.errors import MrpplanError, Refused
from mrpplan.mysql.connection import connect
from mrpplan.plan.planfile import from_document
from mrpplan.plan.types import Plan, Step


@dataclass
class RecoverResult:
    direction: str  # "nothing" | "scratch" | "rollback" | "forward"
    apply_id: str = ""
    plan: Plan | None = None
    undone: list[Step] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # scratch databases of a killed load


def drop_scratch_databases(conn: object, database: str) -> list[str]:
    """Scratch databases a killed restore/sync load left (mysql/shadow.py): never visible
    to the application, but they hold copied (possibly unmasked) rows, so they go."""
    from mrpplan.mysql.shadow import LOAD_PREFIX, drop_database, shadow_databases

    names = shadow_databases(conn, database, LOAD_PREFIX)
    for name in names:
        drop_database(conn, name)
    return names


def recover(
    project: Project,
    env: Environment,
    *,
    forward: Plan | None = None,
    progress: Progress | None = None,
    wait_seconds: int = 3600,
) -> RecoverResult:
    """Roll back (default) or finish (`forward`, the same plan file) an interrupted apply."""
    say = progress or (lambda _line: None)
    database = env.connection.database
    conn = connect(env.connection)
    try:
        holder = holder_id(conn, database)
        if holder is not None:
            say(f"waiting for connection {holder} (the interrupted apply's last statement) to end")
        with holding_lock(conn, database, wait_seconds=wait_seconds):
            records = interrupted_applies(conn, database)
            if not records:
                left = drop_scratch_databases(conn, database)
                return RecoverResult("scratch" if left else "nothing", removed=left)
            record = records[-1]
            plan = from_document(json.loads(record.plan_text))
            journal = Journal(conn, record.apply_id, record.plan_digest)
            executor = StepExecutor(project, env, conn, journal, say)
            ran = rebuild(executor, plan, read_entries(conn, record.apply_id), record.per_statement)
            if forward is not None:
                return _forward(executor, plan, forward, ran, record.apply_id, say)
            result = _rollback(executor, plan, ran, record.apply_id, say)
            result.removed = drop_scratch_databases(conn, database)
            return result
    finally:
        with contextlib.suppress(Exception):
            conn.close()


def rebuild(
    executor: StepExecutor, plan: Plan, entries: list[JournalEntry], per_statement: bool
) -> list[Progressed]:
    """What each journaled step really did, settling the one that was running.

    `per_statement`: the journal holds the running statement's fingerprint (this mrpplan)
    rather than the whole step's (older journals)."""
    ran: list[Progressed] = []
    for entry in entries:
        step = plan.step(entry.step_id)
        if entry.status == "reverted":
            continue
        if entry.status == "done":
            ran.append(Progressed(step, len(step.sql), entry.artifact, complete=True))
            continue
        runner = runner_for(step.action)
        if runner is not None:
            # a step run by its own runner (one transaction): it took effect or it did not
            if runner.interrupted is not None:  # it cleans what it left and knows
                context = RunContext(
                    executor.project, executor.env, executor.conn, executor.progress
                )
                took = runner.interrupted(context, step)
            else:
                took = (
                    bool(entry.fingerprint_before)
                    and executor.step_fingerprint(step) != entry.fingerprint_before
                )
            count = len(step.sql) if took else 0
            ran.append(Progressed(step, count, entry.artifact, complete=took))
            continue
        done = entry.statements_done
        running = entry.status == "started" and entry.fingerprint_before and done < len(step.sql)
        if running:
            now = (
                executor.statement_fingerprint(step, done)
                if per_statement
                else executor.step_fingerprint(step)
            )
            if now != entry.fingerprint_before:
                done += 1  # the statement that was running took effect
        ran.append(Progressed(step, done, entry.artifact, complete=done >= len(step.sql) > 0))
    return ran


def _rollback(
    executor: StepExecutor, plan: Plan, ran: list[Progressed], apply_id: str, say: Progress
) -> RecoverResult:
    try:
        undone = undo_all(executor, ran, say)
    except UndoFailed as undo:
        executor.journal.finish("failed", f"recover: undo failed: {undo.error}")
        raise MrpplanError(
            f"recovering apply {apply_id} of plan {plan.digest[:12]}:\n"
            + undo_failed_text(plan, ran, undo)
        ) from None
    if executor.fingerprint() != plan.prior.fingerprint:
        executor.journal.finish("failed", "recover: fingerprint differs from the prior after undo")
        raise MrpplanError(
            f"recover undid {len(undone)} step(s) of apply {apply_id}, but the database does "
            f"not match the plan's prior state: check it with `mrpplan drift {plan.environment}`"
        )
    executor.journal.finish("reverted", "rolled back by recover")
    return RecoverResult("rollback", apply_id, plan, undone=undone)


def _forward(
    executor: StepExecutor,
    plan: Plan,
    given: Plan,
    ran: list[Progressed],
    apply_id: str,
    say: Progress,
) -> RecoverResult:
    if given.digest != plan.digest:
        raise Refused(
            f"the interrupted apply {apply_id} ran plan {plan.digest[:12]}, not "
            f"{given.digest[:12]}: --forward needs the same plan file. Nothing was changed."
        )
    finished_ids = {p.step.id for p in ran if p.complete}
    remaining = [s for s in plan.steps if s.id not in finished_ids]
    partial = [p for p in ran if not p.complete]
    resumes = bool(partial and remaining and partial[-1].step.id == remaining[0].id)
    start = partial[-1].statements_done if resumes else 0  # the partly-run step continues
    already = [p for p in ran if p.complete]
    result = ApplyResult(apply_id, plan)
    if remaining:
        run_steps(executor, plan, remaining, result, say, already=already, start_statement=start)
    executor.journal.finish("done")
    verify_desired(executor, plan)
    return RecoverResult("forward", apply_id, plan, finished=result.steps_run)
