"""`sync:` in an environment file -> the shadow steps that replace its tables' data in a plan.

A plan's schema steps bring the destination to its own target schema (its `schema:`
settings); the sync then replaces the DATA of the selected tables with the source's rows,
masked, the same way `sync pull` does (plan/replace.py): rows streamed into copies of the
destination's own table definitions in a scratch database, masked and verified there,
swapped in with one RENAME TABLE.

A table is copied again only when its source changed or its copy was written to since the
last copy (sync/state.py), so a plan after `apply` is empty. The copied tables' rows belong
to the sync: the destination's seeds that write them are not run (seed/ownership.py). A
source database that does not exist yet is a warning, and nothing is copied.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

from mrpplan.config import load_environment
from mrpplan.errors import ConnectionFailed, UnknownDatabase
from mrpplan.mysql.connection import session
from mrpplan.plan.providers import PlanContext
from mrpplan.plan.types import Step

if TYPE_CHECKING:
    from mrpplan.sync import state as sync_state


def sync_steps(ctx: PlanContext) -> list[Step]:
    """The shadow steps for the selected source tables whose copy is missing or stale."""
    env = ctx.env
    if env.sync is None:
        return []
    if env.sync.schema_only:
        ctx.warn(
            f"sync: {env.name} copies only the schema from {env.sync.source}; its schema "
            "comes from its own schema settings in a plan, so there are no sync steps"
        )
        return []
    # the copy machinery: imported by a plan of an environment that syncs
    from mrpplan.mysql import shadow
    from mrpplan.plan.replace import Load, object_changes, replace_drafts
    from mrpplan.sync import catalog
    from mrpplan.sync import state as sync_state
    from mrpplan.sync.copy import same_database
    from mrpplan.sync.mask import (
        check_rules,
        parse_rules,
        row_key,
        rules_by_table,
        update_statement,
    )
    from mrpplan.sync.select import selection_for

    source = load_environment(ctx.project, env.sync.source)
    if same_database(source, env):
        ctx.warn(f"sync: {source.name} is the same database as {env.name}; nothing to copy")
        return []
    rules = parse_rules(env.sync.mask, str(env.file))
    src_db, dst_db = source.connection.database, env.connection.database
    with contextlib.ExitStack() as stack:
        try:
            src = stack.enter_context(session(source.connection))
        except UnknownDatabase:
            ctx.warn(
                f"sync: {source.name}'s database {src_db} does not exist yet, so nothing is "
                f"copied from it: `mrpplan apply {source.name}` creates it; the next `mrpplan "
                f"apply {env.name}` copies its rows"
            )
            return []
        except ConnectionFailed as exc:
            raise ConnectionFailed(
                f"sync source {source.name} of {env.name}: {exc.message}",
                hint=f"the plan reads {source.name} for the sync: section of {env.file.name}",
            ) from None
        stats = catalog.table_stats(src, src_db)
        if not [t for t in stats if t.kind == "table"]:
            ctx.warn(
                f"sync: {source.name}'s database {src_db} has no tables yet, so nothing is "
                f"copied from it: `mrpplan apply {source.name}` builds it; the next `mrpplan "
                f"apply {env.name}` copies its rows"
            )
            return []
        columns = catalog.columns(src, src_db)
        by_table = rules_by_table(rules)
        keys = {t: catalog.unique_keys(src, src_db, t) for t in by_table if t in columns}
        unique = {t: {c for cols in k.values() for c in cols} for t, k in keys.items()}
        check_rules(rules, columns, unique, f"{source.name} ({src_db})")
        picked = [t for t in selection_for(env).apply(stats) if t.kind == "table"]
        wanted = [t for t in picked if _fits(ctx, source.name, t.name, columns[t.name])]
        theirs = sync_state.checksums(src, src_db, [t.name for t in wanted])
    exists = bool(ctx.live.schema.tables) or ctx.live.has_history_table
    recorded = sync_state.read_copied(ctx.conn, dst_db) if exists else {}
    ours = sync_state.checksums(
        ctx.conn, dst_db, [t.name for t in wanted if t.name in ctx.live.schema.tables]
    )
    stale = [t for t in wanted if _why(recorded.get(t.name), theirs.get(t.name), ours.get(t.name))]
    if not stale:
        return []
    names = [t.name for t in stale]
    swap = shadow.plan_swap(
        ctx.conn,
        dst_db,
        ctx.timestamp,
        incoming=[*names, sync_state.STATE_TABLE],
        live=[*ctx.desired_schema.tables, *([sync_state.STATE_TABLE] if recorded else [])],
    )
    masked = {t: {r.column: r.spec for r in by_table[t]} for t in names if t in by_table}
    mask_sql = [
        update_statement(
            t, by_table[t], row_key(keys.get(t, {}), columns[t]), columns[t], ctx.timestamp
        )
        for t in sorted(masked)
    ]
    load = Load(
        kind="sync",
        tables=tuple(names),
        definitions="live",
        source=source.name,
        database=src_db,
        masked=masked,
    )
    why = Counter(_why(recorded.get(t.name), theirs.get(t.name), ours.get(t.name)) for t in stale)
    reasons = "; ".join(f"{count}: {reason}" for reason, count in sorted(why.items()))
    drafts = replace_drafts(
        swap,
        load,
        charset=catalog.database_charset(ctx.conn, dst_db),
        mask_sql=mask_sql,
        what=f"the rows of {len(names)} table(s) of {source.name} ({reasons})",
        rows=sum(t.rows for t in stale),
        objects=object_changes(ctx.desired_schema, ctx.desired_schema, names),
    )
    return drafts


def _why(recorded: sync_state.Copied | None, source: int | None, target: int | None) -> str:
    """Why a table is copied again ("" when its copy is current)."""
    if recorded is None:
        return "never copied"
    if recorded.source_checksum != source:
        return "the source changed since the last copy"
    if recorded.target_checksum != target:
        return "the copy was written to since the last copy"
    return ""


def _fits(ctx: PlanContext, source_name: str, name: str, columns: Mapping[str, object]) -> bool:
    desired = ctx.desired_schema.tables.get(name)
    if desired is None:
        ctx.warn(f"sync: {source_name}.{name} is not in {ctx.env.name}'s schema; not copied")
        return False
    desired_columns = {c.name for c in desired.columns}
    extra = [c for c in columns if c not in desired_columns]
    if extra:
        ctx.warn(
            f"sync: {source_name}.{name} has column(s) {', '.join(extra)} that "
            f"{ctx.env.name}'s schema lacks; table not copied"
        )
        return False
    return True
