"""How an `online_alter` step runs, is undone, and is cleaned up after a kill (§3.8).

Forward: the tool runs the step's ALTER (its clauses, checked against the step's table);
the old table is kept as the step's trash table. Undo: the same tool runs the inverse
ALTER (the step's reverse SQL), so the rows written meanwhile are kept. After a kill:
the tool's triggers and `_t_new` are removed and the original table is untouched.
Nothing of the tool's command line comes from the plan file: only the ALTER text, which
`apply` has checked against the rendering of the recorded change; throttling comes from
the environment's policy.
"""

from __future__ import annotations

import os

from mrpplan.apply.runners import RunContext, register_step_runner
from mrpplan.config.settings import OnlineSchemaChange
from mrpplan.errors import MrpplanError
from mrpplan.mysql import online_alter, online_swap
from mrpplan.plan.types import Step

ACTION = "online_alter"


def spec_of(ctx: RunContext, step: Step, *, undo: bool = False) -> online_alter.OnlineAlter:
    """What the tool is asked to do for `step` (forward, or its undo)."""
    problem = online_problem(step)
    if problem:
        raise MrpplanError(f"step {step.id} ({step.action} {step.object}): {problem}")
    policy = ctx.env.policy.online_schema_change or OnlineSchemaChange()
    if undo and step.reverse_sql is None:
        raise MrpplanError(f"step {step.id} ({step.object}) has no inverse ALTER to run")
    statement = step.reverse_sql[0] if undo and step.reverse_sql else step.sql[0]
    return online_alter.OnlineAlter(
        database=ctx.env.connection.database,
        table=step.object,
        alter=online_alter.alter_clauses(statement, step.object),
        foreign_keys=str(step.online["foreign_keys"]),
        max_lag=policy.max_lag,
        max_threads_running=policy.max_threads_running,
        keep_old_as=None if undo else step.online.get("trash"),
        max_flow_ctl=step.online.get("max_flow_ctl"),  # a Galera node (plan/galera_steps)
    )


def online_problem(step: Step) -> str | None:
    """Why `step` is not an online step mrpplan makes (the statement guard uses it too)."""
    online = step.online
    if online.get("tool") != online_alter.TOOL:
        return f"its tool is {online.get('tool')!r}, not {online_alter.TOOL}"
    if online.get("foreign_keys") not in online_alter.FK_METHODS:
        return f"foreign key method {online.get('foreign_keys')!r} is not one mrpplan uses"
    trash = online.get("trash")
    if trash is not None and not str(trash).startswith("_mrpplan_trash_"):
        return f"its old table would be kept as {trash!r}, not as a trash table"
    if len(step.sql) != 1 or (step.reverse_sql is not None and len(step.reverse_sql) != 1):
        return "an online step is exactly one ALTER TABLE and its inverse"
    try:
        for statement in (*step.sql, *(step.reverse_sql or ())):
            online_alter.alter_clauses(statement, step.object)
    except ValueError as exc:
        return str(exc)
    return None


def run_forward(ctx: RunContext, step: Step) -> str | None:
    spec = spec_of(ctx, step)
    online_alter.run_online_alter(
        ctx.env.connection, ctx.conn, spec, say=ctx.progress, sleep=_test_sleep()
    )
    return spec.keep_old_as


def run_undo(ctx: RunContext, step: Step, artifact: str | None) -> None:
    spec = spec_of(ctx, step, undo=True)
    ctx.progress(f"undoing {step.object} online: the inverse ALTER with {online_alter.TOOL}")
    online_alter.run_online_alter(ctx.env.connection, ctx.conn, spec, say=ctx.progress)


def after_kill(ctx: RunContext, step: Step) -> bool:
    """Remove the tool's triggers and new table; True when the swap had happened (the
    old table is there): then the children are re-pointed, the names given back and the
    old table kept as the trash table, as after a normal run."""
    database = ctx.env.connection.database
    removed = online_alter.clear_leftovers(ctx.conn, database, step.object)
    if removed:
        ctx.progress(f"removed what {online_alter.TOOL} left: {', '.join(removed)}")
    olds = online_alter.old_tables(ctx.conn, database, step.object)
    if not olds:
        # killed before the swap (the original is untouched), or after everything but the
        # journal's `done` (the trash table is there): then it took effect
        trash = step.online.get("trash")
        return bool(trash) and online_alter.table_exists(ctx.conn, database, str(trash))
    spec = spec_of(ctx, step)
    online_swap.settle(ctx.conn, database, step.object, olds[-1], spec.keep_old_as)
    return True


def _test_sleep() -> float:
    try:
        return float(os.environ.get(online_alter.TEST_SLEEP, "0") or 0)
    except ValueError:
        return 0.0


register_step_runner(ACTION, run_forward, run_undo, after_kill)
