"""Apply a plan: lock, check, run each step journaled, verify; on failure undo in reverse."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mrpplan.apply.journal import Journal, applied_at, refuse_if_interrupted
from mrpplan.apply.lock import locked_session
from mrpplan.apply.statement_guard import check_statements
from mrpplan.apply.steps import (
    PAUSE_AFTER_STEP,
    Progress,
    Progressed,
    StepExecutor,
    StepFailed,
    UndoFailed,
    batchable,
    message_of,
    pause_for_tests,
)
from mrpplan.apply.verify import (
    check_approval,
    check_fresh,
    check_policy,
    check_seal,
    check_supported,
    check_target,
)
from mrpplan.config import Environment, Project
from mrpplan.errors import MrpplanError, Refused
from mrpplan.mysql.catalog import database_exists
from mrpplan.plan.live import empty_state, read_state
from mrpplan.plan.planfile import dumps
from mrpplan.plan.rebuild import check_rebuilt
from mrpplan.plan.types import Plan, Step


@dataclass
class ApplyResult:
    apply_id: str
    plan: Plan
    steps_run: list[str] = field(default_factory=list)
    checkpoints: list[str] = field(default_factory=list)
    noop: bool = False


def apply_plan(
    project: Project,
    env: Environment,
    plan: Plan,
    *,
    approved: bool,
    progress: Progress | None = None,
    session: Any = None,
    from_file: bool = False,
) -> ApplyResult:
    """Carry out `plan` on env's database or leave it as it was (exit 3/1 otherwise).

    `session` is a connection that already holds env's apply lock (`locked_session`): the
    commands that plan and apply in one go take the lock before planning and pass it here.
    `from_file`: the plan came from a file, so nothing in it is trusted: its seal must be
    keyed for a protected environment, and under the lock it is built again and compared.
    """
    check_target(env, plan)
    if from_file:
        check_seal(env, plan)
    check_supported(plan)
    check_statements(plan)
    check_approval(env, approved)
    check_policy(env, plan)
    if session is None:
        with locked_session(env) as conn:
            return _apply_locked(project, env, plan, conn, progress, from_file)
    return _apply_locked(project, env, plan, session, progress, from_file)


def _apply_locked(
    project: Project,
    env: Environment,
    plan: Plan,
    conn: Any,
    progress: Progress | None,
    from_file: bool,
) -> ApplyResult:
    say = progress or (lambda _line: None)
    database = env.connection.database
    exists = database_exists(conn, database)
    if exists:
        conn.select_db(database)
        refuse_if_interrupted(conn, env.name, database, "Nothing was changed.")
        check_not_applied(conn, database, plan)
    check_fresh(plan, read_state(conn, database) if exists else empty_state())
    if from_file:
        check_rebuilt(project, env, plan)
    create_database_first(conn, plan)
    if not exists:
        if not database_exists(conn, database):
            return ApplyResult(uuid.uuid4().hex, plan, noop=True)
        conn.select_db(database)
    apply_id = uuid.uuid4().hex
    result = ApplyResult(apply_id, plan)
    if not plan.steps:
        result.noop = True
        return result
    Journal.ensure_table(conn)
    journal = Journal(conn, apply_id, plan.digest)
    journal.begin(dumps(plan))
    executor = StepExecutor(project, env, conn, journal, say)
    ran = run_steps(executor, plan, plan.steps, result, say)
    journal.finish("done")
    verify_desired(executor, plan)
    result.checkpoints = [p.artifact for p in ran if p.artifact and p.step.action == "checkpoint"]
    return result


def check_not_applied(conn: Any, database: str, plan: Plan) -> None:
    """A plan applied once is spent: say so rather than calling it stale."""
    when = applied_at(conn, database, plan.digest)
    if when:
        raise Refused(
            f"this plan was already applied to {database} (at {when} UTC). Nothing was changed.",
            hint=f"make a new plan to see what still differs: mrpplan plan {plan.environment}",
        )


def create_database_first(conn: Any, plan: Plan) -> None:
    """A plan for a new environment starts with create_database: it must exist before the
    journal (which lives in it). The step itself then runs as a no-op."""
    if not plan.steps or plan.steps[0].action != "create_database":
        return
    with conn.cursor() as cur:
        for statement in plan.steps[0].sql:
            cur.execute(statement)


def run_steps(
    executor: StepExecutor,
    plan: Plan,
    steps: Sequence[Step],
    result: ApplyResult,
    say: Progress,
    *,
    already: Sequence[Progressed] = (),
    start_statement: int = 0,
) -> list[Progressed]:
    """Run `steps` in order; on failure undo everything (also `already`) and raise."""
    ran: list[Progressed] = list(already)
    total = len(plan.steps)
    positions = {s.id: i for i, s in enumerate(plan.steps)}
    for offset, step in enumerate(steps):
        position = positions[step.id]
        if step.id not in executor.ahead:
            executor.end_batch()
            batch = batchable(steps[offset:]) if offset or not start_statement else []
            if len(batch) > 1:
                executor.start_batch([(s, positions[s.id]) for s in batch])
        say(f"step {step.id}/{total}: {step.action} {step.object} ...")
        try:
            progressed = executor.run(step, position, start=start_statement if offset == 0 else 0)
        except StepFailed as failure:
            executor.end_batch(failed=True)
            with contextlib.suppress(Exception):  # the undo below reports a lost connection
                executor.journal.step_failed(step.id, failure.error)
            ran.append(failure.progressed)
            raise rollback_error(executor, plan, ran, failure) from None
        except (Exception, KeyboardInterrupt) as exc:
            # anything else (a lost connection, Ctrl-C, a server error outside the statement)
            why = "interrupted (Ctrl-C)" if isinstance(exc, KeyboardInterrupt) else message_of(exc)
            executor.end_batch(failed=True)
            current = executor.current
            problem = StepFailed(
                current if current and current.step is step else Progressed(step), "", why
            )
            ran.append(problem.progressed)
            raise rollback_error(executor, plan, ran, problem) from exc
        ran.append(progressed)
        result.steps_run.append(step.id)
        say(f"step {step.id}/{total}: done")
        if os.environ.get(PAUSE_AFTER_STEP) == step.id:
            executor.mark_done()  # a test looks at the journal (or kills) now
        pause_for_tests(step)
    executor.end_batch()
    return ran


def verify_desired(executor: StepExecutor, plan: Plan) -> None:
    """After the last step the database must be what the plan said it would be."""
    live = executor.fingerprint()
    if live != plan.desired.fingerprint:
        raise MrpplanError(
            "every step ran, but the database does not match the plan's desired state "
            f"(fingerprint {live[:12]}, expected {plan.desired.fingerprint[:12]}). "
            "The changes were kept.",
            hint=f"run `mrpplan plan {plan.environment}` to see what still differs",
        )


def undo_all(executor: StepExecutor, ran: Sequence[Progressed], say: Progress) -> list[Step]:
    """Undo in reverse order; UndoFailed names the step that could not be undone."""
    undone: list[Step] = []
    for progressed in reversed(ran):
        if progressed.statements_done == 0 and not progressed.artifact and not progressed.complete:
            executor.journal.step_reverted(progressed.step.id)
            continue
        say(f"undoing step {progressed.step.id}: {progressed.step.action} {progressed.step.object}")
        executor.undo(progressed)
        undone.append(progressed.step)
    return undone


def rollback_error(
    executor: StepExecutor, plan: Plan, ran: list[Progressed], failure: StepFailed
) -> MrpplanError:
    """Undo what ran and build the one message that says what happened."""
    try:
        return _rollback_error(executor, plan, ran, failure)
    except Exception as exc:  # the connection itself is gone: the journal knows the rest
        step = failure.progressed.step
        return MrpplanError(
            f"step {step.id} ({step.action} {step.object}) failed: {failure.error}\n"
            f"The undo could not finish either: {message_of(exc)}. The database may be "
            "partly changed; the journal (mrpplan_apply_journal) records every step.",
            hint=f"run `mrpplan recover {plan.environment}` to roll back what ran"
            + (f" ({_checkpoint_hint(ran)})" if _checkpoint_hint(ran) else ""),
        )


def _rollback_error(
    executor: StepExecutor, plan: Plan, ran: list[Progressed], failure: StepFailed
) -> MrpplanError:
    step = failure.progressed.step
    total = len(plan.steps)
    head = f"step {step.id} of {total} ({step.action} {step.object}) failed: {failure.error}"
    if failure.statement:
        head += f"\n  statement: {_short(failure.statement)}"
    try:
        undone = undo_all(executor, ran, executor.progress)
    except UndoFailed as undo:
        executor.journal.finish("failed", f"{failure.error}; undo failed: {undo.error}")
        return MrpplanError(head + "\n" + undo_failed_text(plan, ran, undo))
    live = executor.fingerprint()
    listed = ", ".join(f"{s.id} ({s.action} {s.object})" for s in undone) or "nothing had run"
    if live == plan.prior.fingerprint:
        executor.journal.finish("reverted", failure.error)
        return MrpplanError(
            head + f"\nUndone, in reverse order: {listed}.",
            unchanged="The database is back where it was before the apply "
            "(its fingerprint matches the plan's prior).",
        )
    executor.journal.finish("failed", failure.error + "; fingerprint differs after undo")
    return MrpplanError(
        head + f"\nUndone, in reverse order: {listed}; but the database's fingerprint "
        "differs from the plan's prior: inspect it with `mrpplan drift "
        f"{plan.environment}`.",
        hint=_checkpoint_hint(ran),
    )


def undo_failed_text(plan: Plan, ran: Sequence[Progressed], undo: UndoFailed) -> str:
    """Precisely what state the database is in when the undo itself failed."""
    still = [p.step for p in ran if p.step.id != undo.step.id and (p.statements_done or p.complete)]
    position = {s.id: i for i, s in enumerate(plan.steps)}
    remaining = [s for s in still if position[s.id] <= position[undo.step.id]]
    lines = [
        f"Undo of step {undo.step.id} ({undo.step.action} {undo.step.object}) failed too: "
        f"{undo.error}",
        "The database is NOT back where it was. Still applied: "
        + (", ".join(f"{s.id} ({s.action} {s.object})" for s in [undo.step, *remaining])),
    ]
    hint = _checkpoint_hint(ran)
    if hint:
        lines.append(hint)
    lines.append(
        "The journal (mrpplan_apply_journal) has every step's state: run "
        f"`mrpplan recover {plan.environment}` after fixing the cause."
    )
    return "\n".join(lines)


def _checkpoint_hint(ran: Sequence[Progressed]) -> str | None:
    files = [
        f"{p.step.object}: {p.artifact}"
        for p in ran
        if p.step.action == "checkpoint" and p.artifact
    ]
    return "Checkpoint files with the data: " + "; ".join(files) if files else None


def _short(statement: str, limit: int = 300) -> str:
    flat = " ".join(statement.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
