"""`sync:` in an environment file -> `sync_table` steps in its plan, and how they run.

A plan's schema steps bring the destination to its own target schema (its `schema:`
settings); sync steps then replace the DATA of each selected table with the source's rows,
masked. So a pull can be reviewed and applied like any plan.

A table gets a step only when its rows differ from the source's: same columns and the
same content hash of the unmasked columns (row count + order-independent hash, computed by
each server) means nothing to do, so a second plan after an apply is empty. Masked columns
are left out of the comparison (they differ by design); local edits of masked values alone
are not noticed.

Each step's `sql`, as reviewed in the plan file:
    TRUNCATE TABLE `t`                                 (foreign key checks off for the step)
    -- mrpplan:load {"source": "dev", "database": "...", "table": "t", "masked": {col: rule}}
    UPDATE `t` SET `email` = ...                        (the mask rules, computed in SQL)
The `-- mrpplan:load` line streams `mariadb-dump --no-create-info --complete-insert` of the
source table into the destination's `mariadb` client. After the UPDATEs, the runner verifies
no source value of a masked column remains (else the step fails and the plan's checkpoint,
which the planner puts in front of the step, brings the table back).
"""

from __future__ import annotations

import json
from typing import Any

from mrpplan.apply.runners import RunContext, register_step_runner
from mrpplan.config import load_environment
from mrpplan.errors import ConnectionFailed, MrpplanError, Refused
from mrpplan.mysql.client_process import DumpSpec, pipe_dump
from mrpplan.mysql.connection import connect
from mrpplan.mysql.quote import ident
from mrpplan.plan.providers import PlanContext, StepDraft, register_step_provider
from mrpplan.plan.types import Step
from mrpplan.sync import catalog
from mrpplan.sync.copy import same_database
from mrpplan.sync.mask import (
    MaskRule,
    check_rules,
    new_salt,
    parse_rules,
    row_key,
    rules_by_table,
    update_statement,
    verify_masks,
)
from mrpplan.sync.select import selection_for

MARKER = "-- mrpplan:load "


def sync_steps(ctx: PlanContext) -> list[StepDraft]:
    """One sync_table step per selected source table whose rows differ from the destination's."""
    env = ctx.env
    if env.sync is None:
        return []
    if env.sync.schema_only:
        ctx.warn(
            f"sync: {env.name} copies only the schema from {env.sync.source}; its schema "
            "comes from its own schema settings in a plan, so there are no sync steps"
        )
        return []
    source = load_environment(ctx.project, env.sync.source)
    if same_database(source, env):
        ctx.warn(f"sync: {source.name} is the same database as {env.name}; nothing to copy")
        return []
    rules = parse_rules(env.sync.mask, str(env.file))
    by_table = rules_by_table(rules)
    src_db, dst_db = source.connection.database, env.connection.database
    live_columns = catalog.columns(ctx.conn, dst_db)
    salt = new_salt()
    drafts: list[StepDraft] = []
    try:
        src = connect(source.connection)
    except ConnectionFailed as exc:
        raise ConnectionFailed(
            f"sync source {source.name} of {env.name}: {exc.message}",
            hint=f"the plan reads {source.name} for the sync: section of {env.file.name}",
        ) from None
    try:
        stats = catalog.table_stats(src, src_db)
        columns = catalog.columns(src, src_db)
        keys = {t: catalog.unique_keys(src, src_db, t) for t in by_table if t in columns}
        unique = {t: {c for cols in k.values() for c in cols} for t, k in keys.items()}
        check_rules(rules, columns, unique, f"{source.name} ({src_db})")
        for table in selection_for(env).apply(stats):
            if table.kind != "table":
                continue
            draft = _table_step(
                ctx,
                src,
                source.name,
                src_db,
                table,
                columns[table.name],
                live_columns.get(table.name),
                by_table.get(table.name, []),
                keys.get(table.name, {}),
                salt,
            )
            if draft is not None:
                drafts.append(draft)
    finally:
        src.close()
    return drafts


def _table_step(
    ctx: PlanContext,
    src: Any,
    source_name: str,
    src_db: str,
    table: catalog.TableStat,
    columns: dict[str, catalog.ColumnInfo],
    live: dict[str, catalog.ColumnInfo] | None,
    rules: list[MaskRule],
    keys: dict[str, list[str]],
    salt: str,
) -> StepDraft | None:
    name = table.name
    desired = ctx.desired_schema.tables.get(name)
    if desired is None:
        ctx.warn(f"sync: {source_name}.{name} is not in {ctx.env.name}'s schema; not copied")
        return None
    desired_columns = {c.name for c in desired.columns}
    extra = [c for c in columns if c not in desired_columns]
    if extra:
        ctx.warn(
            f"sync: {source_name}.{name} has column(s) {', '.join(extra)} that "
            f"{ctx.env.name}'s schema lacks; table not copied"
        )
        return None
    masked = {r.column for r in rules}
    compared = [c for c in columns if c not in masked]
    if live is not None and list(live) == list(columns):
        theirs = catalog.content_hash(src, src_db, name, compared)
        ours = catalog.content_hash(ctx.conn, ctx.env.connection.database, name, compared)
        if theirs == ours:
            return None
    marker = {
        "source": source_name,
        "database": src_db,
        "table": name,
        "masked": {r.column: r.spec for r in rules},
    }
    sql = [f"TRUNCATE TABLE {ident(name)}", MARKER + json.dumps(marker)]
    if rules:
        sql.append(update_statement(name, rules, row_key(keys, columns), columns, salt))
    mask_note = (
        f", masking {', '.join(r.column + ' (' + r.spec + ')' for r in rules)}" if rules else ""
    )
    return StepDraft(
        action="sync_table",
        object=name,
        sql=tuple(sql),
        reverse_sql=None,
        reason=f"replace the rows of {name} with {source_name}'s (about {table.rows:,} rows)"
        + mask_note,
        tables=(name,),
        needs_checkpoint=True,
    )


def run_sync_table(ctx: RunContext, step: Step) -> str | None:
    """Run the step's statements on the apply's connection; the marker line streams the rows."""
    conn = ctx.conn
    rules: list[MaskRule] = []
    source = None
    with conn.cursor() as cur:
        cur.execute("SET SESSION foreign_key_checks = 0")
        try:
            for statement in step.sql:
                if not statement.startswith(MARKER):
                    cur.execute(statement)
                    continue
                marker = json.loads(statement[len(MARKER) :])
                source = load_environment(ctx.project, marker["source"])
                if source.connection.database != marker["database"]:
                    raise Refused(
                        f"{source.name} now points at database {source.connection.database}, "
                        f"the plan was made from {marker['database']}: make a new plan"
                    )
                spec = DumpSpec(
                    marker["database"],
                    tables=(marker["table"],),
                    schema=False,
                    routines=False,
                    extra=("--complete-insert",),
                )
                pipe_dump(source.connection, spec, ctx.env.connection, ctx.env.connection.database)
                masked = marker.get("masked") or {}
                rules = parse_rules({f"{step.object}.{c}": k for c, k in masked.items()}, "plan")
        finally:
            cur.execute("SET SESSION foreign_key_checks = 1")
    if rules and source is not None:
        _verify(ctx, source.connection, rules)
    return None


def _verify(ctx: RunContext, settings: Any, rules: list[MaskRule]) -> None:
    src = connect(settings)
    try:
        checks = verify_masks(
            src, settings.database, ctx.conn, ctx.env.connection.database, rules, {}
        )
    finally:
        src.close()
    leaks = [c for c in checks if c.remaining]
    if leaks:
        detail = ", ".join(f"{c.rule.key}: {c.remaining} value(s)" for c in leaks)
        raise MrpplanError(f"masking left source values in {ctx.env.name}: {detail}")


def undo_sync_table(ctx: RunContext, step: Step, artifact: str | None) -> None:
    """The checkpoint in front of the step brings the rows back; without one, say so."""
    if step.checkpoint is None:
        raise MrpplanError(
            f"step {step.id} (sync_table {step.object}) has no checkpoint (policy checkpoint: "
            "never), so the replaced rows cannot be brought back"
        )


register_step_provider("data", sync_steps, name="sync")
register_step_runner("sync_table", run_sync_table, undo_sync_table)
