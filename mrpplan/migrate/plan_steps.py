"""Migrations as plan steps: the schema provider that turns history into migrate_up/down.

A database with history at version X and target Y gets one `migrate_up` step per pending
migration up to Y, or one `migrate_down` step per applied migration above Y (newest first).
Each step's statements are paired 1:1 with their reverses (see `trace`), so the executor can
undo exactly the statements that ran when one fails part-way. The history row is written by
the step's last statement, so a step and its history commit or roll back together.

A database with no history and no schema (a new one) is built the migration way: the base
schema, then each migration. A database with a schema but no history is left to the
declarative planner (drift: repair converges it, drift: error points to `migrate baseline`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mrpplan.errors import ConfigError
from mrpplan.migrate import history
from mrpplan.migrate.directory import Migration, base_schema_statements, load_migrations
from mrpplan.migrate.status import check_not_edited, migration_statuses, with_base_schema
from mrpplan.migrate.trace import Trace, generated_down, trace_chain, trace_statements
from mrpplan.plan.fingerprint import object_digests
from mrpplan.plan.providers import PlanContext, StepDraft, register_step_provider
from mrpplan.sqlfiles.split import SqlStatement

NOOP = "DO 0 /* mrpplan: nothing to undo */"
START_CLOCK = "SET @mrpplan_t0 = NOW(6)"
ELAPSED_MS = "COALESCE(TIMESTAMPDIFF(MICROSECOND, @mrpplan_t0, NOW(6)) DIV 1000, 0)"
BASE_VERSION = "000"


def migration_steps(ctx: PlanContext) -> list[StepDraft] | None:
    """Steps from the recorded version to the target, or None to let the declarative planner act."""
    from mrpplan.plan.schema_steps import check_drift, schema_at, schema_change_steps

    migrations = load_migrations(ctx.project.migrations_dir)
    rows = history.read(ctx.conn) if ctx.live.has_history_table else []
    migration_rows = [r for r in rows if r.success and r.number > 0]
    check_not_edited(
        with_base_schema(
            migration_statuses(migrations, [r for r in rows if r.number > 0]),
            ctx.project.schema_dir,
            rows,
        ),
        ctx.env.name,
    )
    empty = not object_digests(ctx.live.schema)
    drafts: list[StepDraft] = []
    if not [r for r in rows if r.success]:
        if not empty:
            return None  # a schema at no known version: drift policy / baseline decide
        base = schema_at(ctx, "base")
        drafts.extend(schema_change_steps(ctx, ctx.live.schema, base))
        drafts.append(base_history_draft(ctx))
    else:
        recorded = max(r.number for r in rows if r.success)
        label = next((r.version for r in rows if r.number == recorded), "base")
        expected = schema_at(ctx, label if recorded > 0 else "base")
        if expected.fingerprint() != ctx.live.schema.fingerprint():
            if ctx.env.schema.drift == "repair":
                return None  # converge declaratively
            check_drift(ctx)  # raises (error) or warns (warn)
    applied = {r.number: r for r in migration_rows}
    by_number = {m.number: m for m in migrations}
    for number in sorted(applied, reverse=True):
        if number > ctx.target_number:
            drafts.append(down_draft(ctx, migrations, applied[number], by_number.get(number)))
    ups = [m for m in migrations if m.number <= ctx.target_number and m.number not in applied]
    traces = _up_traces(ctx, migrations, ups)
    drafts.extend(up_draft(ctx, m, traces[m.number]) for m in ups)
    going_down = any(d.action == "migrate_down" for d in drafts)
    if going_down and ctx.target_number == 0 and not any(r.number == 0 for r in rows):
        drafts.append(base_history_draft(ctx))  # at base, history must still say so
    return drafts


def _up_traces(
    ctx: PlanContext, migrations: Sequence[Migration], ups: Sequence[Migration]
) -> dict[int, Trace]:
    """Trace runs of consecutive pending migrations in one workspace each."""
    traces: dict[int, Trace] = {}
    numbers = [m.number for m in migrations]
    run: list[Migration] = []
    for migration in [*ups, None]:
        contiguous = (
            migration is not None
            and run
            and numbers.index(migration.number) == numbers.index(run[-1].number) + 1
        )
        if run and not contiguous:
            prefix = _prefix(ctx, migrations, run[0].number - 1)
            chain = trace_chain(
                ctx.env.connection,
                ctx.flavor,
                prefix,
                [m.up for m in run],
                ctx.project.cache_dir,
            )
            traces.update({m.number: t for m, t in zip(run, chain, strict=True)})
            run = []
        if migration is not None:
            run.append(migration)
    return traces


def up_draft(ctx: PlanContext, migration: Migration, trace: Trace) -> StepDraft:
    """Run the up section, record the history row (with the down SQL that undoes it)."""
    if migration.down is not None:
        down = [s.text for s in migration.down]
        how = "hand-written down section"
    else:
        down = generated_down(trace, ctx.flavor)
        how = "generated rollback"
    record = history.record_sql(
        migration.version, migration.name, migration.checksum, down, execution_ms=ELAPSED_MS
    )
    pairs = statement_pairs(trace)
    pairs.append((record, history.remove_sql(migration.version)))
    ctx.desired_schema_history.add((migration.version, migration.checksum))
    return _draft(
        "migrate_up",
        f"{migration.version}_{migration.name}",
        pairs,
        trace,
        f"apply migration {migration.path.name} ({len(migration.up)} statements; {how} stored"
        " in history)",
    )


def down_draft(
    ctx: PlanContext,
    migrations: Sequence[Migration],
    row: history.HistoryRow,
    migration: Migration | None,
) -> StepDraft:
    """Run the recorded down SQL (or the file's, or a generated one) and forget the row."""
    if migration is None and row.down_sql is None:
        raise ConfigError(
            f"migration {row.version}_{row.name} is applied to environment {ctx.env.name!r} but"
            " its file is gone and its history row has no down SQL: cannot roll it back",
            hint="restore the migration file",
        )
    prefix = _prefix(ctx, migrations, row.number)
    source = Path(f"{history.TABLE}:{row.version}")
    if row.down_sql is not None:
        statements = [SqlStatement(text, source, i + 1) for i, text in enumerate(row.down_sql)]
        how = "down SQL recorded when it was applied"
    elif migration is not None and migration.down is not None:
        statements = list(migration.down)
        how = f"down section of {migration.path.name}"
    else:
        assert migration is not None
        up_trace = trace_statements(
            ctx.env.connection,
            ctx.flavor,
            _prefix(ctx, migrations, row.number - 1),
            migration.up,
            ctx.project.cache_dir,
        )
        statements = [
            SqlStatement(t, source, i + 1)
            for i, t in enumerate(generated_down(up_trace, ctx.flavor))
        ]
        how = "generated rollback"
    trace = trace_statements(
        ctx.env.connection, ctx.flavor, prefix, statements, ctx.project.cache_dir
    )
    pairs = statement_pairs(trace)
    pairs.append(
        (
            history.remove_sql(row.version),
            history.record_sql(
                row.version, row.name, row.checksum, row.down_sql, execution_ms=row.execution_ms
            ),
        )
    )
    ctx.desired_schema_history.discard((row.version, row.checksum))
    return _draft(
        "migrate_down",
        f"{row.version}_{row.name}",
        pairs,
        trace,
        f"roll back migration {row.version}_{row.name} ({how})",
    )


def base_history_draft(ctx: PlanContext) -> StepDraft:
    """Create the history table and mark the base schema as present (version 000)."""
    from mrpplan.migrate.directory import source_digest

    digest = source_digest(base_schema_statements(ctx.project.schema_dir))
    pairs = (
        [(history.CREATE_SQL, f"DROP TABLE IF EXISTS `{history.TABLE}`")]
        if not ctx.live.has_history_table
        else []
    )
    pairs.append(
        (
            history.record_sql(BASE_VERSION, "base_schema", digest, None),
            history.remove_sql(BASE_VERSION),
        )
    )
    ctx.desired_schema_history.add((BASE_VERSION, digest))
    return StepDraft(
        action="record_history",
        object=history.TABLE,
        sql=tuple(f for f, _ in pairs),
        reverse_sql=tuple(r for _, r in reversed(pairs)),
        reason="record that the base schema is in place (version 000)",
    )


def _prefix(ctx: PlanContext, migrations: Sequence[Migration], upto: int) -> list[SqlStatement]:
    """Base schema plus the up sections of migrations numbered <= upto."""
    statements = list(base_schema_statements(ctx.project.schema_dir))
    for migration in migrations:
        if migration.number <= upto:
            statements.extend(migration.up)
    return statements


def statement_pairs(trace: Trace) -> list[tuple[str, str]]:
    """(forward, reverse) pairs; a statement whose undo takes m statements gets m-1 no-ops after it.

    Undo runs the reverses of completed pairs last-first, so the pads carry the first
    m-1 undo statements and the statement itself the last one.
    """
    pairs: list[tuple[str, str]] = [(START_CLOCK, NOOP)]
    for effect in trace.effects:
        undo = list(effect.reverse) or [NOOP]
        pairs.append((effect.statement.text, undo[-1]))
        for statement in reversed(undo[:-1]):
            pairs.append((NOOP, statement))
    return pairs


def _draft(
    action: str, name: str, pairs: list[tuple[str, str]], trace: Trace, reason: str
) -> StepDraft:
    reasons = [r for e in trace.effects for r in e.reasons]
    if reasons:
        reason += ": " + "; ".join(reasons)
    algorithms = [e.algorithm for e in trace.effects if e.algorithm != "n/a"]
    order = ("instant", "nocopy", "inplace", "copy")
    return StepDraft(
        action=action,
        object=name,
        sql=tuple(f for f, _ in pairs),
        reverse_sql=tuple(r for _, r in reversed(pairs)),
        destructive=trace.destructive,
        reason=reason,
        algorithm=max(algorithms, key=order.index) if algorithms else "n/a",
        tables=trace.checkpoint_tables,
        needs_checkpoint=bool(trace.checkpoint_tables),
    )


register_step_provider("schema", migration_steps, name="migrations")
