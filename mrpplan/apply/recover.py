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
    finish_checked,
    run_steps,
    undo_all,
    undo_failed_text,
)
from mrpplan.apply.settle import (
    NOT_RUN,
    OTHERWISE,
    TOOK_EFFECT,
    Settled,
    repair_sql,
    settle,
    table_differences,
)
from mrpplan.apply.steps import Progress, Progressed, StepExecutor, UndoFailed
from mrpplan.config import Environment, Project
from mrpplan.errors import MrpplanError, Refused
from mrpplan.mysql.connection import Session, session
from mrpplan.mysql.inspect import existing_texts
from mrpplan.mysql.journal import Journal, JournalEntry, interrupted_applies, read_entries
from mrpplan.mysql.lock import holder_id, holding_lock
from mrpplan.mysql.rehearse import drop_scratch, prepare_scratch
from mrpplan.plan.fingerprint import describe_differences
from mrpplan.plan.live import Expectation, read_state
from mrpplan.plan.planfile import from_document
from mrpplan.plan.providers import Wiring
from mrpplan.plan.types import Plan, Step


@dataclass
class RecoverResult:
    direction: str  # "nothing" | "scratch" | "rollback" | "forward"
    apply_id: str = ""
    plan: Plan | None = None
    undone: list[Step] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # scratch databases of a killed load
    repaired: list[str] = field(default_factory=list)  # what a crash changed otherwise, fixed


def drop_scratch_databases(conn: Session, database: str) -> list[str]:
    """Scratch databases a killed restore/sync load left (mysql/shadow.py): never visible
    to the application, but they hold copied (possibly unmasked) rows, so they go."""
    from mrpplan.mysql.shadow import LOAD_PREFIX, drop_database, shadow_databases

    names = shadow_databases(conn, database, LOAD_PREFIX)
    for name in names:
        drop_database(conn, name)
    return names


LOCK_WAIT_SECONDS = 3600  # a recover waits for a running apply to let go of the lock


def recover(
    project: Project,
    env: Environment,
    *,
    wiring: Wiring,
    forward: Plan | None,
    progress: Progress | None,
) -> RecoverResult:
    """Roll back (default) or finish (`forward`, the same plan file) an interrupted apply."""
    say = progress or (lambda _line: None)
    database = env.connection.database
    with session(env.connection) as conn:
        holder = holder_id(conn, database)
        if holder is not None:
            say(f"waiting for connection {holder} (the interrupted apply's last statement) to end")
        with holding_lock(conn, database, wait_seconds=LOCK_WAIT_SECONDS):
            records = interrupted_applies(conn, database)
            if not records:
                left = drop_scratch_databases(conn, database)
                return RecoverResult("scratch" if left else "nothing", removed=left)
            record = records[-1]
            plan = from_document(json.loads(record.plan_text))
            journal = Journal(conn, record.apply_id, record.plan_digest)
            executor = StepExecutor(project, env, conn, journal, wiring.services, say)
            if forward is not None and forward.digest != plan.digest:
                raise Refused(
                    f"the interrupted apply {record.apply_id} ran plan {plan.digest[:12]}, not "
                    f"{forward.digest[:12]}: --forward needs the same plan file. Nothing was "
                    "changed."
                )
            drop_scratch(conn, database)
            settled: list[tuple[Step, Settled]] = []
            entries = read_entries(conn, record.apply_id)
            ran = rebuild(executor, plan, entries, record.per_statement, settled)
            repaired = repair(executor, plan, settled, forward=forward is not None)
            if forward is not None:
                for progressed in ran:
                    if any(step is progressed.step for step, _ in settled):
                        progressed.statements_done += 1
                        progressed.complete = progressed.statements_done >= len(progressed.step.sql)
                result = _forward(executor, plan, ran, record.apply_id, say)
                drop_scratch(conn, database)
            else:
                result = _rollback(executor, plan, ran, record.apply_id, say)
                result.removed = drop_scratch_databases(conn, database)
            result.repaired = repaired
            return result


def rebuild(
    executor: StepExecutor,
    plan: Plan,
    entries: list[JournalEntry],
    per_statement: bool,
    settled: list[tuple[Step, Settled]],
) -> list[Progressed]:
    """What each journaled step really did, settling the one that was running: it took
    effect as planned, did not run, or (appended to `settled`) changed otherwise.

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
        if step.kind.runs_itself:
            # a step its kind runs (one unit): it took effect or it did not; the kind
            # cleans what it left and knows, or the fingerprint tells
            took = step.kind.interrupted(executor.context(step), step)
            if took is None:
                took = (
                    bool(entry.fingerprint_before)
                    and executor.step_fingerprint(step) != entry.fingerprint_before
                )
            count = len(step.sql) if took else 0
            ran.append(Progressed(step, count, entry.artifact, complete=took))
            continue
        done = entry.statements_done
        running = entry.status == "started" and entry.fingerprint_before and done < len(step.sql)
        expect = Expectation.read(entry.expect) if running and per_statement else None
        if expect is not None and expect.index == done:
            found = settle(expect, existing_texts(executor.conn, executor.database, expect.names))
            outcome = found.outcome
            if outcome == OTHERWISE:
                settled.append((step, found))
        elif running:
            now = (
                executor.statement_fingerprint(step, done)
                if per_statement
                else executor.step_fingerprint(step)
            )
            outcome = TOOK_EFFECT if now != entry.fingerprint_before else NOT_RUN
        else:
            outcome = ""
        if running:
            executor.progress(f"step {step.id}, statement {done + 1} of {len(step.sql)}: {outcome}")
        if outcome == TOOK_EFFECT:
            done += 1
        ran.append(Progressed(step, done, entry.artifact, complete=done >= len(step.sql) > 0))
    return ran


def repair(
    executor: StepExecutor, plan: Plan, settled: list[tuple[Step, Settled]], *, forward: bool
) -> list[str]:
    """Bring the tables a crash changed otherwise to the side recover goes to (before the
    statement for a rollback, after it for `--forward`); the lines say what differed and
    what ran. MrpplanError naming every difference when it cannot."""
    from mrpplan.mysql.flavor import Flavor

    lines: list[str] = []
    for step, found in settled:
        expect = found.expect
        where = (
            f"step {step.id} ({step.action} {step.object}), statement {expect.index + 1} of "
            f"{len(step.sql)}"
        )
        lines.append(
            f"{where} changed its tables otherwise than planned (neither as before it nor as "
            "it was to leave them): "
            + "; ".join(found.differences())
            + ": the server's crash recovery (or someone else) changed the table"
        )
        wanted = expect.after if forward else expect.before
        statements = None
        if wanted is not None:
            with contextlib.suppress(Exception):
                flavor = Flavor.parse(plan.target.server_version)
                statements = repair_sql(found.live, wanted, expect.names, flavor)
        if statements is None or wanted is None:
            raise MrpplanError(
                f"recovering apply of plan {plan.digest[:12]}: " + "\n".join(lines) + "\n"
                "mrpplan cannot rebuild these tables by itself; nothing was changed by recover.",
                hint="bring the tables back by hand (or from the step's checkpoint), then run "
                f"`mrpplan recover {plan.environment}` again",
            )
        side = "to what the statement was to leave" if forward else "back to before the statement"
        lines.append(f"repair ({side}): " + ("; ".join(statements) or "nothing to run"))
        with executor.conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
        now = existing_texts(executor.conn, executor.database, expect.names)
        still = [
            line
            for name in expect.names
            for line in table_differences(name, now.get(name), wanted.get(name))
        ]
        if still:
            raise MrpplanError(
                "\n".join(lines)
                + "\nafter the repair the tables still differ: "
                + "; ".join(still),
                hint=f"fix them by hand, then run `mrpplan recover {plan.environment}` again",
            )
    return lines


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
    live = read_state(executor.conn, executor.database)
    if live.fingerprint != plan.prior.fingerprint:
        executor.journal.finish("failed", "recover: fingerprint differs from the prior after undo")
        differences = describe_differences(plan.prior_objects, live.objects) or [
            "mrpplan's history rows differ (a migration or seed record)"
        ]
        raise MrpplanError(
            f"recover undid {len(undone)} step(s) of apply {apply_id}, but the database does "
            "not match the plan's prior state. Since the plan was made: "
            + "; ".join(differences)
            + ".",
            hint=f"`mrpplan drift {plan.environment}` shows each difference in full",
        )
    executor.journal.finish("reverted", "rolled back by recover")
    return RecoverResult("rollback", apply_id, plan, undone=undone)


def _forward(
    executor: StepExecutor,
    plan: Plan,
    ran: list[Progressed],
    apply_id: str,
    say: Progress,
) -> RecoverResult:
    finished_ids = {p.step.id for p in ran if p.complete}
    remaining = [s for s in plan.steps if s.id not in finished_ids]
    partial = [p for p in ran if not p.complete]
    resumes = bool(partial and remaining and partial[-1].step.id == remaining[0].id)
    start = partial[-1].statements_done if resumes else 0  # the partly-run step continues
    already = [p for p in ran if p.complete]
    result = ApplyResult(apply_id, plan)
    if remaining:
        if any(step.kind.author_sql for step in remaining):
            prepare_scratch(executor.conn, plan.target.database)
        run_steps(executor, plan, remaining, result, say, already=already, start_statement=start)
    finish_checked(executor, plan, keep_open=True)  # applied only once the check passes
    return RecoverResult("forward", apply_id, plan, finished=result.steps_run)
