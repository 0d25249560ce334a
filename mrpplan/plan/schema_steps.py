"""The built-in schema provider: converge the live schema declaratively to the target.

Used when no migrations provider claims the plan. The live schema is first compared with
what it should be at its recorded version; drift is handled per `schema.drift`.
"""

from __future__ import annotations

from typing import Any

from mrpplan.errors import Refused
from mrpplan.plan import kinds
from mrpplan.plan.fingerprint import object_changes, object_digests
from mrpplan.plan.history_steps import HistoryRow, record_history_step
from mrpplan.plan.live import SCHEMA_HISTORY
from mrpplan.plan.providers import PlanContext
from mrpplan.plan.types import Step

BASE_VERSION = "000"


def declarative_steps(ctx: PlanContext) -> list[Step]:
    """Diff live -> desired, render it, then record the history the target implies."""
    check_drift(ctx)
    steps = schema_change_steps(ctx, ctx.live.schema, ctx.desired_schema)
    history = history_step(ctx)
    if history is not None:
        steps.append(history)
    return steps


def schema_change_steps(ctx: PlanContext, current: Any, desired: Any) -> list[Step]:
    """The schema engine's changes from `current` to `desired`, one draft per statement."""
    from mrpplan.diff import diff_schemas
    from mrpplan.diff.ddl import render_changes, trash_table_name
    from mrpplan.diff.preflight import checks_for
    from mrpplan.plan.galera_steps import route_galera
    from mrpplan.plan.online_steps import route_big_tables

    changes = diff_schemas(current, desired)
    rendered = render_changes(
        changes, ctx.flavor, trash_name=lambda table: trash_table_name(table, ctx.timestamp)
    )
    drafts = [
        Step(
            kind=kinds.KINDS[r.action],
            object=r.object,
            sql=tuple(r.sql),
            reverse_sql=tuple(r.reverse_sql) if r.reverse_sql is not None else None,
            destructive=bool(r.destructive),
            reason=r.reason,
            algorithm=r.algorithm,
            tables=tuple(r.tables),
            needs_checkpoint=bool(r.needs_checkpoint),
            changes=tuple(c.record() for c in r.changes),
            lock=r.lock,
            preflight=tuple(checks_for(r.changes, current)),
        )
        for r in rendered
    ]
    return route_galera(ctx, route_big_tables(ctx, drafts))


def check_drift(ctx: PlanContext) -> None:
    """Refuse or warn when the live schema is not what its history says (per schema.drift)."""
    live = ctx.live
    policy = ctx.env.schema.drift
    if not live.schema_history:
        if _is_empty(live.schema):
            return  # a new database: nothing to drift from
        message = (
            f"{ctx.env.connection.database} has no {SCHEMA_HISTORY}: it is at no known version"
        )
        if policy == "error":
            raise Refused(
                f"{message}. Nothing was planned.",
                hint=f"record its version with `mrpplan migrate baseline {ctx.env.name} --version "
                "VERSION` (VERSION: the migration it is at), "
                "or set schema.drift: repair to converge it to the target schema",
            )
        if policy == "warn":
            ctx.warn(f"{message}; the plan converges it to the target schema")
        return
    recorded = live.schema_version or BASE_VERSION
    expected = schema_at(ctx, recorded if _number(recorded) else "base")
    if expected.fingerprint() == live.schema.fingerprint():
        return
    lines = drift_lines(expected, live.schema)
    message = f"the live schema differs from version {recorded} (drift): " + "; ".join(lines)
    if policy == "error":
        raise Refused(
            f"{message}. Nothing was planned.",
            hint="fix the database by hand, or set schema.drift: repair to converge it",
        )
    if policy == "warn":
        ctx.warn(message)


def drift_lines(expected: Any, live: Any) -> list[str]:
    """`table x: extra|missing|differs` lines, expected -> live."""
    words = {"added": "is extra", "removed": "is missing", "changed": "differs"}
    changes = object_changes(object_digests(expected), object_digests(live))
    lines = [
        f"{kind} {name} {words[how]}"
        + (_table_delta(expected, live, name) if how == "changed" and kind == "table" else "")
        for kind, name, how in changes
    ]
    return lines or ["history rows differ"]


def _table_delta(expected: Any, live: Any, name: str) -> str:
    """What differs in one table, as the changes that turn the expected table into the live
    one: "(live = expected + add column `customers`.`nickname`)"."""
    from mrpplan.diff import diff_schemas
    from mrpplan.model.schema import Schema

    changes = diff_schemas(
        Schema(tables={name: expected.tables[name]}), Schema(tables={name: live.tables[name]})
    )
    described = [change.describe() for change in changes]
    return f" (live = expected + {'; '.join(described)})" if described else ""


def schema_at(ctx: PlanContext, version: str) -> Any:
    """The canonical schema at a version (cached by the workspace)."""
    from mrpplan.desired.directory import desired_statements
    from mrpplan.desired.workspace import desired_schema
    from mrpplan.mysql.workspace_place import workspace_for

    statements = desired_statements(ctx.project, version)
    return desired_schema(workspace_for(ctx.project, ctx.env), statements, ctx.project.cache_dir)


def history_step(ctx: PlanContext) -> Step | None:
    """Record the migrations up to the target as applied; forget those above it."""
    from mrpplan.desired.directory import base_schema_statements, load_migrations, source_digest

    migrations = load_migrations(ctx.project.migrations_dir)
    wanted = [m for m in migrations if m.number <= ctx.target_number]
    recorded = {version for version, _ in ctx.live.schema_history}
    add = [
        HistoryRow(m.version, m.name, m.checksum, _down_text(m))
        for m in wanted
        if m.version not in recorded
    ]
    if not wanted and not ctx.live.schema_history:
        digest = source_digest(base_schema_statements(ctx.project.schema_dir))
        add = [HistoryRow(BASE_VERSION, "base_schema", digest, None)]
    keep_numbers = {m.number for m in wanted}
    remove_versions = [
        v
        for v in sorted(recorded)
        if _number(v) > ctx.target_number and _number(v) not in keep_numbers
    ]
    remove = _live_rows(ctx, remove_versions)
    desired = {(v, c) for v, c in ctx.live.schema_history if v not in set(remove_versions)}
    desired |= {(row.version, row.checksum) for row in add}
    ctx.desired_schema_history.clear()
    ctx.desired_schema_history.update(desired)
    return record_history_step(
        add,
        remove,
        table_exists=ctx.live.has_history_table,
        reason=f"record that {ctx.env.connection.database} is at schema version "
        f"{ctx.desired_version_label or ctx.target_version}",
    )


def _down_text(migration: Any) -> tuple[str, ...] | None:
    if migration.down is None:
        return None
    return tuple(s.text for s in migration.down)


def _number(version: str) -> int:
    digits = "".join(ch for ch in version if ch.isdigit())
    return int(digits) if digits else 0


def _live_rows(ctx: PlanContext, versions: list[str]) -> list[HistoryRow]:
    if not versions:
        return []
    from mrpplan.mysql import schema_history as history

    return [
        HistoryRow(r.version, r.name, r.checksum, r.down_sql)
        for r in history.read(ctx.conn)
        if r.version in versions
    ]


def _is_empty(schema: Any) -> bool:
    return not object_digests(schema)
