"""Seeds as plan steps: the data provider driven by the environment's `seeds:` list, and the
runner that executes a `seed` step as ONE transaction.

A seed whose checksum is recorded is skipped; a new or changed one becomes a step. The
step's last statement writes the history row; the runner runs all of it in one transaction,
so a failure leaves no partial rows and no history row. Undo (when a later step fails)
restores the checkpoint of the tables the seed writes (the planner puts it in front) and
puts the seed's previous history row back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from mrpplan.mysql import seed_history as history
from mrpplan.mysql.quote import ident
from mrpplan.plan import kinds
from mrpplan.plan.kinds import RunContext
from mrpplan.plan.providers import PlanContext
from mrpplan.plan.types import Step
from mrpplan.seed.sets import SeedFile, select_seeds


def seed_drafts(
    seeds: Sequence[SeedFile], recorded: dict[str, str], *, force: bool = False
) -> list[Step]:
    """One `seed` step per new or changed seed (every seed with `force`)."""
    # the runner and the SQL statement checks are imported by a plan with seeds to run
    from mrpplan.seed.runner import ROWS_VARIABLE, runnable_statements
    from mrpplan.sqlfiles.dml_targets import written_tables

    drafts: list[Step] = []
    for seed in seeds:
        previous = recorded.get(seed.name)
        if previous == seed.checksum and not force:
            continue
        statements = runnable_statements(seed)
        tables = tuple(written_tables(statements))
        if previous is None:
            why = f"load seed {seed.path.name} ({seed.set} set) in one transaction"
        elif previous == seed.checksum:
            why = f"re-run seed {seed.path.name} ({seed.set} set) in one transaction"
        else:
            why = f"re-apply seed {seed.path.name}: the file changed since it was applied"
        drafts.append(
            Step(
                kind=kinds.SEED,
                object=seed.name,
                sql=(*statements, history.record_sql(seed.name, seed.checksum, ROWS_VARIABLE)),
                reverse_sql=None,
                reason=why + (f"; writes {', '.join(tables)}" if tables else ""),
                tables=tables,
                needs_checkpoint=bool(tables),
            )
        )
    return drafts


def seed_steps(ctx: PlanContext) -> list[Step]:
    """The environment's seeds that are new or changed since they were applied."""
    wanted = ctx.scope.seeds if ctx.scope.seeds is not None else ctx.env.seeds
    if not wanted:
        return []
    seeds = select_seeds(ctx.project.seeds_dir, wanted)
    if ctx.scope.seeds is not None:
        from mrpplan.seed.operations import check_allowed

        check_allowed(ctx.env, seeds)
    elif ctx.scope.data is None or "sync" in ctx.scope.data:
        seeds = _without_sync_owned(ctx, seeds)
    recorded = dict(ctx.live.seed_history)
    drafts = seed_drafts(seeds, recorded, force=ctx.scope.force_seeds or ctx.scope.refresh)
    if ctx.scope.refresh:
        drafts = [*empty_drafts(ctx, seeds), *(replace(d, tables=()) for d in drafts)]
    for seed in seeds:
        if any(d.object == seed.name for d in drafts):
            ctx.desired_seed_history.discard((seed.name, recorded.get(seed.name, "")))
            ctx.desired_seed_history.add((seed.name, seed.checksum))
    return drafts


def _without_sync_owned(ctx: PlanContext, seeds: list[SeedFile]) -> list[SeedFile]:
    """The seeds left to run in a plan that also runs the sync, which owns the tables it
    copies (seed/ownership.py); `seed run` alone still runs every seed it is asked to."""
    from mrpplan.seed.ownership import ownership_note, sync_owned_seeds

    owned = sync_owned_seeds(ctx.project, ctx.env, seeds)
    if owned:
        ctx.warn(ownership_note(ctx.env, list(owned)))
    return [seed for seed in seeds if seed.name not in owned]


def empty_drafts(ctx: PlanContext, seeds: Sequence[SeedFile]) -> list[Step]:
    """`seed refresh`: empty the tables the seeds write, children first, in one transaction.

    The checkpoint in front of it saves those tables; it also covers the seed steps after
    it (their own checkpoints would only save the emptied tables again). A row elsewhere
    that still references a seeded row makes the DELETE fail, and the transaction rolls back.
    """
    from mrpplan.seed.refresh import delete_order, existing_tables, foreign_keys, owned_tables
    from mrpplan.seed.runner import runnable_statements

    statements = [runnable_statements(seed) for seed in seeds]
    owned = owned_tables(seeds, statements)
    tables = delete_order(existing_tables(ctx.conn, owned), foreign_keys(ctx.conn))
    if not tables:
        return []
    return [
        Step(
            kind=kinds.EMPTY_TABLES,
            object=",".join(tables),
            sql=tuple(f"DELETE FROM {ident(table)}" for table in tables),
            reverse_sql=None,
            destructive=True,
            reason="seed refresh: delete every row of the tables the seeds write (children "
            "first, one transaction); the seeds then put back what their files hold, and rows "
            "no seed holds are only in the checkpoint",
            tables=tuple(tables),
            needs_checkpoint=True,
        )
    ]


def run_seed_step(ctx: RunContext, step: Step) -> str | None:
    """Run the step's statements in one transaction; return the newest run id before it."""
    from mrpplan.seed.runner import apply_seed

    conn = ctx.conn
    history.ensure(conn)
    before = history.last_run_id(conn)
    *statements, record = step.sql
    apply_seed(conn, step.object, statements, record)
    return json.dumps({"run_id": before})


def undo_seed_step(ctx: RunContext, step: Step, artifact: str | None) -> None:
    """Forget the run the step recorded (its rows come back from the checkpoint)."""
    previous = json.loads(artifact) if artifact else None
    if isinstance(previous, dict) and "run_id" in previous:
        history.forget_runs_after(ctx.conn, step.object, int(previous["run_id"]))
