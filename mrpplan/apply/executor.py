"""Apply a plan: lock, check, run each step journaled, verify; on failure undo in reverse."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from mrpplan.apply.cluster_compare import compare_nodes
from mrpplan.apply.invariant_guard import InvariantGuard
from mrpplan.apply.server_guard import watched
from mrpplan.apply.steps import (
    PAUSE_AFTER_STEP,
    Progress,
    Progressed,
    StepExecutor,
    StepFailed,
    UndoFailed,
    batchable,
    lost_connection,
    message_of,
    pause_for_tests,
)
from mrpplan.apply.verify import check_fresh, check_plan
from mrpplan.config import Environment, Project
from mrpplan.errors import MrpplanError, Refused
from mrpplan.mysql.catalog import database_exists
from mrpplan.mysql.cluster_ready import check_cluster
from mrpplan.mysql.connection import Session
from mrpplan.mysql.journal import Journal, applied_at, refuse_if_interrupted
from mrpplan.mysql.lock import locked_session
from mrpplan.mysql.rehearse import drop_scratch, prepare_scratch
from mrpplan.plan.fingerprint import object_changes
from mrpplan.plan.kinds import CHECKPOINT, CREATE_DATABASE
from mrpplan.plan.live import empty_state, read_state, touched_objects
from mrpplan.plan.planfile import dumps
from mrpplan.plan.preflight import recheck as recheck_preflight
from mrpplan.plan.providers import Wiring
from mrpplan.plan.rebuild import check_rebuilt
from mrpplan.plan.types import Plan, Step


@dataclass
class ApplyResult:
    apply_id: str
    plan: Plan
    steps_run: list[str] = field(default_factory=list)
    checkpoints: list[str] = field(default_factory=list)
    noop: bool = False
    node_differences: list[str] = field(default_factory=list)  # Galera nodes that differ


def apply_plan(
    project: Project,
    env: Environment,
    plan: Plan,
    *,
    wiring: Wiring,
    progress: Progress | None = None,
    session: Session | None = None,
    from_file: bool = False,
) -> ApplyResult:
    """Carry out `plan` on env's database or leave it as it was (exit 3/1 otherwise).

    `session` is a connection that already holds env's apply lock (`locked_session`): the
    commands that plan and apply in one go take the lock before planning and pass it here.
    `from_file`: the plan came from a file, so nothing in it is trusted: its seal must be
    keyed for a protected environment, and under the lock it is built again and compared.
    `wiring`: the builders and the services of step kinds (mrpplan/wiring.py).
    """
    check_plan(env, plan, from_file=from_file)
    if session is None:
        with locked_session(env) as conn:
            return _apply_locked(project, env, plan, conn, wiring, progress, from_file)
    return _apply_locked(project, env, plan, session, wiring, progress, from_file)


def _apply_locked(
    project: Project,
    env: Environment,
    plan: Plan,
    conn: Session,
    wiring: Wiring,
    progress: Progress | None,
    from_file: bool,
) -> ApplyResult:
    say = progress or (lambda _line: None)
    database = env.connection.database
    cluster = check_cluster(conn, env, "Nothing was changed.")
    exists = database_exists(conn, database)
    if exists:
        conn.select_db(database)
        refuse_if_interrupted(conn, env.name, database, "Nothing was changed.")
        check_not_applied(conn, database, plan)
    check_fresh(plan, read_state(conn, database) if exists else empty_state())
    if from_file:
        check_rebuilt(project, env, plan, wiring)
    guard = None
    if exists:
        recheck_preflight(conn, env, plan)
        guard = InvariantGuard.start(project, conn, say) if plan.steps else None
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
    executor = StepExecutor(project, env, conn, journal, wiring.services, say)
    if any(step.kind.author_sql for step in plan.steps):
        prepare_scratch(conn, database)
    try:
        ran = run_steps(executor, plan, plan.steps, result, say)
        if guard is not None:
            undo_if_invariant_broken(executor, plan, ran, guard)
    finally:
        drop_scratch(conn, database)
    finish_checked(executor, plan)
    result.checkpoints = [p.artifact for p in ran if p.artifact and p.step.kind is CHECKPOINT]
    if cluster is not None:
        result.node_differences = compare_nodes(conn, env, cluster.addresses, say)
    return result


def undo_if_invariant_broken(
    executor: StepExecutor, plan: Plan, ran: list[Progressed], guard: InvariantGuard
) -> None:
    """Under the same lock, after the last step: a business rule the plan broke makes the
    whole apply undo itself, naming the rule with sample rows."""
    try:
        broken = guard.broken_by_plan(executor.conn)
    except Exception as exc:  # unsure whether the plan broke a rule: undo, as for a failure
        broken = f"the invariants could not be checked after the last step: {message_of(exc)}"
    if broken is None:
        return
    last = ran[-1]
    failure = StepFailed(last, "", "the plan breaks an ERP invariant:\n  " + broken)
    raise rollback_error(executor, plan, ran, failure)


def check_not_applied(conn: Session, database: str, plan: Plan) -> None:
    """A plan applied once is spent: say so rather than calling it stale."""
    when = applied_at(conn, database, plan.digest)
    if when:
        raise Refused(
            f"this plan was already applied to {database} (at {when} UTC). Nothing was changed.",
            hint=f"make a new plan to see what still differs: mrpplan plan {plan.environment}",
        )


def create_database_first(conn: Session, plan: Plan) -> None:
    """A plan for a new environment starts with create_database: it must exist before the
    journal (which lives in it). The step itself then runs as a no-op."""
    if not plan.steps or plan.steps[0].kind is not CREATE_DATABASE:
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
            progressed = watched(
                executor.conn,
                step,
                partial(executor.run, step, position, start=start_statement if offset == 0 else 0),
            )
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
                current if current and current.step is step else Progressed(step),
                executor.statement if current and current.step is step else "",
                why,
                lost=lost_connection(exc),
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


def finish_checked(executor: StepExecutor, plan: Plan, *, keep_open: bool = False) -> None:
    """The final check, then the journal's header `done`: a plan counts as applied only
    once the database is what it said. When the check fails the header says `failed`, or
    (`keep_open`, for `recover --forward`) stays `started` so that `recover` can still roll
    the apply back. The server gone here is reported as such."""
    try:
        try:
            verify_desired(executor, plan)
        except MrpplanError as mismatch:
            if not keep_open:
                executor.journal.finish("failed", "final check: " + mismatch.message)
            raise
        executor.journal.finish("done")
    except MrpplanError:
        raise
    except Exception as exc:
        if not lost_connection(exc):
            raise
        raise MrpplanError(
            "the connection to the database server was lost after the last step (step "
            f"{plan.steps[-1].id} of {len(plan.steps)}), before the final check: "
            f"{message_of(exc)}. The "
            "server went away or ended mrpplan's connection; the journal "
            "(mrpplan_apply_journal) records every step as done, the apply itself as not "
            "finished.",
            hint=f"when the server is back, run `mrpplan recover {plan.environment} --forward "
            f"PLANFILE` (checks and records it as applied) or `mrpplan recover "
            f"{plan.environment}` (rolls it back)",
        ) from None


def verify_desired(executor: StepExecutor, plan: Plan) -> None:
    """After the last step the database must be what the plan said it would be."""
    state = read_state(executor.conn, executor.database)
    live = state.fingerprint
    if live != plan.desired.fingerprint:
        raise MrpplanError(
            "every step ran, but the database does not match the plan's desired state "
            f"(fingerprint {live[:12]}, expected {plan.desired.fingerprint[:12]})"
            + "".join(f"; {line}" for line in changed_outside(plan, state.objects))
            + ". The changes were kept.",
            hint=f"run `mrpplan plan {plan.environment}` to see what still differs",
        )


def changed_outside(plan: Plan, live_objects: Mapping[str, str]) -> list[str]:
    """Objects no step of the plan changes that differ from the plan's prior: someone
    else changed them (while the server was down, say)."""
    touched = {s.object for s in plan.steps}
    for step in plan.steps:
        touched |= touched_objects(step.sql) or set()
    return [
        f"{kind} {name} was {how} (no step of the plan changes it)"
        for kind, name, how in object_changes(plan.prior_objects, live_objects)
        if name not in touched
        for how in [{"added": "created", "removed": "dropped", "changed": "altered"}[how]]
    ]


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
    if failure.lost:
        return connection_lost_error(plan, ran, failure)
    try:
        return _rollback_error(executor, plan, ran, failure)
    except Exception as exc:  # the connection itself is gone: the journal knows the rest
        if lost_connection(exc):
            return connection_lost_error(plan, ran, failure, during_undo=True)
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


def connection_lost_error(
    plan: Plan, ran: Sequence[Progressed], failure: StepFailed, *, during_undo: bool = False
) -> MrpplanError:
    """The server went away or ended mrpplan's connection (a crash, a SHUTDOWN, a KILL):
    say so, where, and in what state the journal left the database; `recover` settles it."""
    step = failure.progressed.step
    position = {s.id: i for i, s in enumerate(plan.steps)}
    done = [p.step for p in ran if p.complete and p.step is not step]
    lines = [
        f"the connection to the database server was lost during step {step.id} of "
        f"{len(plan.steps)} ({step.action} {step.object})"
        + (" while undoing it" if during_undo else "")
        + f": {failure.error}",
    ]
    if failure.statement:
        index = step.sql.index(failure.statement) + 1 if failure.statement in step.sql else 0
        where = f"statement {index} of {len(step.sql)}" if index else "statement"
        lines.append(f"  {where}: {_short(failure.statement)}")
    ran_here = failure.progressed.statements_done
    finished = ", ".join(s.id for s in sorted(done, key=lambda s: position[s.id]))
    running = (
        "and the one running may or may not have taken effect (the server may still be "
        "finishing it)"
        if failure.statement
        else "and none was running"
    )
    lines.append(
        "The server went away or ended mrpplan's connection, so nothing "
        + ("more " if during_undo else "")
        + "could be undone. The database was left as the journal (mrpplan_apply_journal) "
        "records it: "
        + (f"done: step(s) {finished}; " if finished else "no step finished; ")
        + f"step {step.id} had run {ran_here} of {len(step.sql) or 1} statement(s), {running}."
    )
    hint = _checkpoint_hint(ran)
    if hint:
        lines.append(hint)
    return MrpplanError(
        "\n".join(lines),
        hint=f"when the server is back, run `mrpplan recover {plan.environment}`: it tells "
        "whether that statement took effect and rolls the apply back (or `mrpplan recover "
        f"{plan.environment} --forward PLANFILE` finishes it)",
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
        f"{p.step.object}: {p.artifact}" for p in ran if p.step.kind is CHECKPOINT and p.artifact
    ]
    return "Checkpoint files with the data: " + "; ".join(files) if files else None


def _short(statement: str, limit: int = 300) -> str:
    """The statement on one line; a long one keeps its end too (an ALTER's refused
    `ALGORITHM=..., LOCK=...` is there)."""
    flat = " ".join(statement.split())
    return flat if len(flat) <= limit else flat[: limit - 103] + " ... " + flat[-98:]
