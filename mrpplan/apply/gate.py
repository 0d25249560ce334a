"""How every command that applies runs (DESIGN §3.6), with the sequence before an apply
once: each plan refused or not (`verify.check_plan`: target, seal, steps, policy) before
anyone is asked, then the one approval rule, asked once, then the executor under the lock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mrpplan.apply.approval import Ask, Request, approve
from mrpplan.apply.executor import ApplyResult, apply_plan
from mrpplan.apply.steps import Progress
from mrpplan.apply.verify import Sealed, check_plan, check_seal
from mrpplan.backup.dump import create_backup
from mrpplan.config import Environment, Project
from mrpplan.mysql.lock import locked_session
from mrpplan.plan.planfile import with_digest, write_plan
from mrpplan.plan.providers import Wiring
from mrpplan.plan.render import print_plan
from mrpplan.plan.screen import Screen
from mrpplan.plan.types import Plan


def clear(
    env: Environment,
    plans: Sequence[tuple[Environment, Plan]],
    request: Request,
    *,
    ask: Ask,
    sealed: Sealed | None = None,
) -> None:
    """Return when the plans may be applied; raise Refused (exit 3) otherwise.

    `plans`: each plan with the single-database environment it runs on (one, or each
    database's section of a fleet). `sealed`: the plan file they came from, checked first.
    The approval is asked once for all of them, and only when something changes."""
    if sealed is not None and all(plan is not sealed for _member, plan in plans):
        check_seal(env, sealed)  # a fleet's whole file, before its sections
    for member, plan in plans:
        check_plan(member, plan, from_file=sealed is not None)
    if any(plan.has_changes for _member, plan in plans):
        destructive = sum(len(plan.destructive_steps) for _member, plan in plans)
        approve(env, request, destructive=destructive, ask=ask)


def apply_file(
    project: Project,
    env: Environment,
    plan: Plan,
    request: Request,
    *,
    ask: Ask,
    wiring: Wiring,
    progress: Progress | None = None,
) -> ApplyResult:
    """`mrpplan apply FILE`: a saved plan, checked and approved, then built again and
    compared under the lock by the executor."""
    clear(env, [(env, plan)], request, ask=ask, sealed=plan)
    return apply_plan(project, env, plan, wiring=wiring, progress=progress, from_file=True)


@dataclass(frozen=True)
class Writing:
    """How the operator asked for a write: the approval request, how to ask a question,
    what plans are made of (`Wiring`, from mrpplan/wiring.py), --out FILE (save the
    plan), --dry-run (show it only)."""

    request: Request
    ask: Ask
    wiring: Wiring
    out: Path | None = None
    dry_run: bool = False


def carry_out(
    project: Project,
    env: Environment,
    build: Callable[[], Plan],
    writing: Writing,
    screen: Screen,
    *,
    show_sql: bool = False,
    sql_on_dry_run: bool = True,
    before: Callable[[], None] | None = None,
) -> ApplyResult | None:
    """How every command that writes a database runs: build the plan, show it, then
    --out: save it | --dry-run: stop | approve and apply (`plan_and_apply`); None when
    nothing ran. `sql_on_dry_run` False: a dry run shows the steps only (the SQL with
    --verbose or --out)."""

    def show(plan: Plan, *, sql: bool = show_sql) -> None:
        print_plan(screen.out, plan, show_sql=sql or screen.verbose)
        for warning in plan.warnings:
            screen.err.print(f"[yellow]Warning:[/] {warning}")

    if writing.out is not None or writing.dry_run:
        plan = with_digest(build())
        show(plan, sql=show_sql or (writing.dry_run and sql_on_dry_run))
        if writing.out is not None:
            path = write_plan(plan, writing.out)
            screen.out.print(f"\nSaved the plan to {path}. Nothing was changed.")
            if plan.has_changes:
                screen.out.print(f"To apply it: mrpplan apply {path}")
        else:
            screen.out.print("Dry run: nothing was changed.")
        return None
    result = plan_and_apply(
        project,
        env,
        build,
        writing.request,
        ask=writing.ask,
        wiring=writing.wiring,
        show=show,
        before=before,
        progress=screen.steps(),
    )
    if result is None:
        screen.out.print(f"Nothing to do: {env.name} is already as asked.")
    return result


def plan_and_apply(
    project: Project,
    env: Environment,
    build: Callable[[], Plan],
    request: Request,
    *,
    ask: Ask,
    wiring: Wiring,
    show: Callable[[Plan], None],
    before: Callable[[], None] | None = None,
    progress: Progress | None = None,
) -> ApplyResult | None:
    """Plan and apply in one go; None when the plan has no changes.

    The lock is taken before the plan is built, so what the operator approves is what
    runs: nobody else can write in between. `before` runs after the approval, under the
    lock (a backup of exactly the state the plan starts from)."""
    with locked_session(env) as session:
        plan = with_digest(build())
        show(plan)
        if not plan.has_changes:
            return None
        clear(env, [(env, plan)], request, ask=ask)
        if before is not None:
            before()
        return apply_plan(project, env, plan, wiring=wiring, progress=progress, session=session)


def back_up_first(
    screen: Screen, env: Environment, kind: str | None, command: str
) -> Callable[[], None] | None:
    """`--backup`, `--backup-first`: a whole-database backup of that kind, taken after the
    approval and under the lock (`apply/gate.py` `before`), so it is exactly the state the
    plan starts from; None without one."""
    if kind is None:
        return None

    def before() -> None:
        from mrpplan.plan.planner import database_exists

        if not database_exists(env):
            screen.out.print(f"No backup first: {env.connection.database} does not exist yet.")
            return
        result = create_backup(env, kind, label=f"before {command}")
        screen.out.print(f"Backed up {env.connection.database} to {result.path}")

    return before
