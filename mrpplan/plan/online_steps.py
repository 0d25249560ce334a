"""Big tables go online (DESIGN §3.8): which ALTER steps run through the tool, or are refused.

An ALTER that cannot run with LOCK=NONE blocks the table's writers for as long as it
takes (a COPY of tens of millions of rows: many minutes with the factory stopped). On a
table of at least `policy.online_schema_change.min_rows` rows such a step becomes an
`online_alter` step: the same recorded change and the same SQL (so `apply` checks it
against the rendering as for any declarative step), run by pt-online-schema-change with
LOCK=NONE on the table. Without the tool, or with `tool: none`, the plan is refused with
the reason. Without the policy, big tables are only flagged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from mrpplan.config.settings import OnlineSchemaChange
from mrpplan.diff.ddl import trash_table_name
from mrpplan.errors import Refused
from mrpplan.mysql.online_alter import (
    INSTALL_HINT,
    TOOL,
    alter_clauses,
    autoinc_lock_mode,
    describe_duration,
    estimated_seconds,
    tool_path,
)
from mrpplan.mysql.table_stats import estimated_rows
from mrpplan.plan.kinds import ONLINE_ALTER, OnlineRoute
from mrpplan.plan.providers import PlanContext
from mrpplan.plan.types import Step

ONLINE_ACTION = "online_alter"
# rows copied per second by the tool in 100-row chunks (bench/bench_online.py: 300k rows
# in 22-39 s on 2 cores at load 7-11): the plan's estimate
ROWS_PER_SECOND = 10_000
# writer errors (deadlock 1213) while the tool copies a table with an AUTO_INCREMENT column
# with innodb_autoinc_lock_mode 1 (bench_online.py: 1M rows, one writer inserting and
# updating rows of the table, pausing 5 ms or 1 ms): with mrpplan's 100-row chunks, and
# with the tool's default chunk time
MEASURED_DEADLOCKS = (
    "about 0.1 per 10,000 writes, one in 87,758 by a writer pausing 5 ms or 1 ms on 300k "
    "and 1M rows, against 5-95 per 10,000 writes with chunk times of 0.1-0.5 s"
)
# big enough to flag a blocking ALTER when the environment sets no policy
DEFAULT_MIN_ROWS = OnlineSchemaChange().min_rows
_ENDS_WITH_CLAUSE = re.compile(r", ALGORITHM=\w+, LOCK=\w+$")


def route_big_tables(ctx: PlanContext, drafts: Sequence[Step]) -> list[Step]:
    """Each blocking ALTER on a big table becomes an online step, or the plan is refused."""
    blocking = [d for d in drafts if _blocks_writes(d)]
    if not blocking:
        return list(drafts)
    rows = estimated_rows(ctx.conn, ctx.env.connection.database, [d.object for d in blocking])
    policy = ctx.env.policy.online_schema_change
    out: list[Step] = []
    for draft in drafts:
        size = rows.get(draft.object, 0) if draft in blocking else 0
        if policy is None:
            if size >= DEFAULT_MIN_ROWS:
                ctx.warn(
                    f"{draft.object} has about {size:,} rows and this ALTER takes "
                    f"LOCK={draft.lock.upper()}: it blocks writes while it runs (set "
                    "policy.online_schema_change to run it with pt-online-schema-change)"
                )
            out.append(draft)
            continue
        if size < policy.min_rows:
            out.append(draft)
            continue
        out.append(online_draft(ctx, draft, size, policy))
    return out


def _blocks_writes(draft: Step) -> bool:
    """An ALTER that cannot run with LOCK=NONE."""
    return draft.action == "alter_table" and draft.lock in ("shared", "exclusive")


def _tool_can_run(draft: Step) -> bool:
    """One plain ALTER of the table ending in its ALGORITHM/LOCK clause (not a system-
    versioned table's SET STATEMENT form, not re-partitioning)."""
    if len(draft.sql) != 1:
        return False
    try:
        alter_clauses(draft.sql[0], draft.object)
    except ValueError:
        return False
    return bool(_ENDS_WITH_CLAUSE.search(draft.sql[0]))


def online_draft(ctx: PlanContext, draft: Step, rows: int, policy: OnlineSchemaChange) -> Step:
    """The step run by the tool; refused (exit 3) when it cannot be."""
    why_blocking = (
        f"{draft.object} has at least {policy.min_rows:,} rows "
        "(policy.online_schema_change.min_rows) and this ALTER cannot run with LOCK=NONE "
        f"(ALGORITHM={draft.algorithm.upper()}, LOCK={draft.lock.upper()}: it would block "
        "writes for the whole copy)"
    )
    if policy.tool == "none":
        _refuse(ctx, draft, why_blocking, "policy.online_schema_change.tool is none")
    if not _tool_can_run(draft):
        _refuse(
            ctx,
            draft,
            why_blocking,
            f"{TOOL} cannot run this kind of ALTER (system versioning or partitioning)",
            "run it in a maintenance window: raise min_rows for that apply, or write it as a "
            "migration with `-- mrpplan:allow-blocking`",
        )
    if tool_path() is None:
        _refuse(ctx, draft, why_blocking, f"{TOOL} is not installed here", INSTALL_HINT)
    children = children_of(ctx.live.schema, draft.object)
    method, why_method = foreign_key_method(draft.object, children)
    trash = trash_table_name(draft.object, ctx.timestamp)
    seconds = estimated_seconds(rows, ROWS_PER_SECOND)
    lossy = draft.needs_checkpoint
    keep = (
        f"the old table stays as {trash} (the checkpoint of a big table: its rows "
        "as they were)"
        + ("; a rollback re-runs the inverse ALTER, values it cut come from there" if lossy else "")
    )
    reason = (
        f"{draft.reason}; online with {TOOL} (writes continue; pauses while a replica lags "
        f"more than {policy.max_lag:g} s or more than {policy.max_threads_running} threads "
        f"run): {why_blocking}; foreign keys: --alter-foreign-keys-method={method} "
        f"({why_method}); {keep}"
    )
    retry = writers_must_retry(ctx, draft.object)
    if retry:
        ctx.warn(retry)
        reason += (
            f"; application writers to {draft.object} must retry deadlocks (error 1213) "
            "during the copy (see the warning)"
        )
    return replace(
        draft,
        kind=ONLINE_ALTER,
        reason=reason,
        lock="none",
        needs_checkpoint=False,
        payload=OnlineRoute(
            tool=TOOL,
            foreign_keys=method,
            trash=trash,
            children=tuple(children),
            rows=rows,
            estimate_seconds=seconds,
        ),
    )


def writers_must_retry(ctx: PlanContext, table: str) -> str | None:
    """What the application's writers must do while the tool copies `table`, when they
    can see errors: on a table with an AUTO_INCREMENT column unless the server runs
    innodb_autoinc_lock_mode=2 (bench_online.py finds no writer error there)."""
    live = ctx.live.schema.tables.get(table)
    if live is None or not any(col.auto_increment for col in live.columns):
        return None
    mode = autoinc_lock_mode(ctx.conn)
    if mode >= 2:
        return None
    return (
        f"application writers to {table} must retry deadlocks (error 1213) while {TOOL} "
        f"copies it: with innodb_autoinc_lock_mode={mode} each chunk the tool copies holds "
        f"the new table's AUTO-INC lock, which its triggers need for every write to {table}, "
        "and a write to a row the chunk has yet to read is rolled back as the deadlock's "
        "victim. mrpplan copies 100 rows per chunk to make this rare (bench_online.py: "
        f"{MEASURED_DEADLOCKS}); innodb_autoinc_lock_mode=2 in the server's configuration "
        "(a restart; binlog_format ROW or MIXED) removes the cause"
    )


def foreign_key_method(table: str, children: Sequence[str]) -> tuple[str, str]:
    """(--alter-foreign-keys-method, why) for a table referenced by `children`."""
    if not children:
        return "none", f"no table references {table}"
    return (
        "none",
        f"{', '.join(children)} reference{'s' if len(children) == 1 else ''} {table}: right "
        "after the atomic swap mrpplan re-points those foreign keys to the new table with "
        "foreign_key_checks off (a metadata-only ALTER of each child, LOCK=NONE); "
        "rebuild_constraints would copy each child table while writes to "
        f"{table} wait, drop_swap would drop the original table, which mrpplan keeps as "
        "the trash table",
    )


def children_of(schema: Any, table: str) -> tuple[str, ...]:
    """Tables of the live schema with a foreign key referencing `table` (not itself)."""
    names = {
        name
        for name, t in schema.tables.items()
        if name != table
        and any(fk.ref_table == table and not fk.ref_schema for fk in t.foreign_keys)
    }
    return tuple(sorted(names))


def how_it_runs(step: Step) -> str:
    """The plan's label for how a step runs: `copy, LOCK=SHARED`,
    `online (pt-online-schema-change), ~2 min`, or the algorithm alone."""
    if step.online:
        seconds = step.online.estimate_seconds or 0
        label = f"online ({step.online.tool})"
        return f"{label}, {describe_duration(seconds)}" if seconds else label
    if step.lock != "n/a":
        return f"{step.algorithm}, LOCK={step.lock.upper()}"
    return step.algorithm


def _refuse(ctx: PlanContext, draft: Step, why: str, because: str, hint: str | None = None) -> None:
    raise Refused(
        f"the ALTER of {draft.object} cannot run online: {because}, and {why}. "
        "Nothing was planned.",
        hint=hint
        or (
            f"set policy.online_schema_change.tool: {TOOL} in "
            f"environments/{ctx.env.name}.yaml, or run the change in a maintenance window "
            "with a higher min_rows"
        ),
    )
