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

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mrpplan.desired.directory import (
    Migration,
    base_schema_statements,
    empty_migrations,
    load_migrations,
    number_gaps,
)
from mrpplan.desired.status import (
    check_files_match_history,
    check_not_edited,
    migration_statuses,
    with_base_schema,
)
from mrpplan.errors import ConfigError
from mrpplan.mysql import schema_history as history
from mrpplan.mysql.workspace_place import workspace_for
from mrpplan.plan import kinds
from mrpplan.plan.fingerprint import object_digests
from mrpplan.plan.kinds import StepKind
from mrpplan.plan.providers import PlanContext
from mrpplan.plan.types import Step
from mrpplan.sqlfiles.split import SqlStatement
from mrpplan.units import count

if TYPE_CHECKING:  # tracing is imported by plans with migrations to run (start-up: a
    # plan with none, the common case, needs neither it nor the statement checks)
    from mrpplan.desired.trace import Trace

NOOP = "DO 0 /* mrpplan: nothing to undo */"
START_CLOCK = "SET @mrpplan_t0 = NOW(6)"
ELAPSED_MS = "COALESCE(TIMESTAMPDIFF(MICROSECOND, @mrpplan_t0, NOW(6)) DIV 1000, 0)"
BASE_VERSION = "000"


def migration_steps(ctx: PlanContext) -> list[Step] | None:
    """Steps from the recorded version to the target, or None to let the declarative planner act."""
    from mrpplan.plan.schema_steps import check_drift, schema_at, schema_change_steps

    if ctx.scope.baseline:
        return baseline_drafts(ctx)
    migrations = load_migrations(ctx.project.migrations_dir)
    rows = history.read(ctx.conn) if ctx.live.has_history_table else []
    migration_rows = [r for r in rows if r.success and r.number > 0]
    statuses = migration_statuses(migrations, [r for r in rows if r.number > 0])
    declarative = ctx.env.schema.drift == "repair"  # there, editing the base schema is the way
    checked = statuses if declarative else with_base_schema(statuses, ctx.project.schema_dir, rows)
    check_not_edited(checked, ctx.env.name)
    check_files_match_history(statuses, ctx.env.name, ctx.target_number)
    for gap in number_gaps(migrations):
        ctx.warn(gap.message)
    at = ctx.live.schema_version or ""
    reached = int(at) if at.isdigit() else 0
    pending_empty = empty_migrations([m for m in migrations if m.number > reached])
    if pending_empty:
        raise ConfigError("\n".join(map(str, pending_empty)), unchanged="Nothing was planned.")
    empty = not object_digests(ctx.live.schema)
    drafts: list[Step] = []
    applied = {r.number: r for r in migration_rows}
    ups = [m for m in migrations if m.number <= ctx.target_number and m.number not in applied]
    traces: dict[int, Trace] | None = None
    if not [r for r in rows if r.success]:
        if not empty:
            return None  # a schema at no known version: drift policy / baseline decide
        # traced first: the base schema is where their chain starts, so it is built once
        traces = _checked_traces(ctx, migrations, ups)
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
    by_number = {m.number: m for m in migrations}
    for number in sorted(applied, reverse=True):
        if number > ctx.target_number:
            drafts.append(down_draft(ctx, migrations, applied[number], by_number.get(number)))
    if traces is None:
        traces = _checked_traces(ctx, migrations, ups)
    written: set[str] = set()  # tables whose rows an earlier statement of the plan writes
    for migration in ups:
        draft = up_draft(ctx, migration, traces[migration.number])
        drafts.append(
            replace(draft, preflight=preflight_checks(ctx, traces[migration.number], written))
        )
    going_down = any(d.kind is kinds.MIGRATE_DOWN for d in drafts)
    if going_down and ctx.target_number == 0 and not any(r.number == 0 for r in rows):
        drafts.append(base_history_draft(ctx))  # at base, history must still say so
    return drafts


def _checked_traces(
    ctx: PlanContext, migrations: Sequence[Migration], ups: Sequence[Migration]
) -> dict[int, Trace]:
    """The pending migrations' statements checked, then traced (`_up_traces`)."""
    if ups:
        from mrpplan.sqlfiles.statement_kinds import refuse_statements

        refuse_statements(
            [s for m in ups for s in m.up], ctx.flavor.version, ctx.flavor.is_mariadb
        )  # before any of them runs in the workspace
    return _up_traces(ctx, migrations, ups)


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
            from mrpplan.desired.trace import trace_chain

            prefix = _prefix(ctx, migrations, run[0].number - 1)
            chain = trace_chain(
                workspace_for(ctx.project, ctx.env),
                ctx.flavor,
                prefix,
                [m.up for m in run],
                ctx.project.cache_dir,
                keep_data_at=ctx.timestamp,
            )
            traces.update({m.number: t for m, t in zip(run, chain, strict=True)})
            run = []
        if migration is not None:
            run.append(migration)
    return traces


def up_draft(ctx: PlanContext, migration: Migration, trace: Trace) -> Step:
    """Run the up section, record the history row (with the down SQL that undoes it)."""
    from mrpplan.desired.trace import generated_down, rollback_losses
    from mrpplan.migrate.blocking import flag_blocking

    if migration.down is not None:
        down = [s.text for s in migration.down]
        how = "hand-written down section"
    else:
        down = generated_down(trace, ctx.flavor)
        how = "generated rollback" + _losses(rollback_losses(trace))
    down = data_kept_in_down(down, trace)
    record = history.record_sql(
        migration.version, migration.name, migration.checksum, down, execution_ms=ELAPSED_MS
    )
    ctx.desired_schema_history.add((migration.version, migration.checksum))
    draft = _draft(
        kinds.MIGRATE_UP,
        f"{migration.version}_{migration.name}",
        trace,
        (record, history.remove_sql(migration.version)),
        f"apply migration {migration.path.name} ({count(len(migration.up), 'statement')}; "
        f"{how} stored in history)",
    )
    rollback = {"type": "Rollback", "source": how.split(",")[0], "sql": list(down)}
    draft = replace(draft, changes=(*draft.changes, rollback))  # shown readably by the views
    return flag_blocking(ctx, migration, trace, draft)


def _losses(reasons: list[str]) -> str:
    """A short note of what going back loses: the subtle losses (a narrowed type) first."""
    if not reasons:
        return ""
    effects = sorted((r.split("; ")[-1] for r in reasons), key=lambda r: "deleted" in r)
    more = f"; and {len(effects) - 2} more" if len(effects) > 2 else ""
    return f", destructive: {'; '.join(effects[:2])}{more},"


def down_draft(
    ctx: PlanContext,
    migrations: Sequence[Migration],
    row: history.HistoryRow,
    migration: Migration | None,
) -> Step:
    """Run the recorded down SQL (or the file's, or a generated one) and forget the row."""
    from mrpplan.desired.trace import generated_down, trace_statements

    if migration is None and row.down_sql is None:
        raise ConfigError(
            f"migration {row.version}_{row.name} is applied to environment {ctx.env.name!r} but"
            " its file is gone and its history row has no down SQL: cannot roll it back",
            hint="restore the migration file",
        )
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
            workspace_for(ctx.project, ctx.env),
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
    prefix, before_up = _prefix_as_applied(ctx, migrations, row, migration, statements)
    statements, lost = _without_purged_trash(ctx, statements, before_up)
    trace = _down_trace(ctx, prefix, statements, lost)
    ctx.desired_schema_history.discard((row.version, row.checksum))
    draft = _draft(
        kinds.MIGRATE_DOWN,
        f"{row.version}_{row.name}",
        trace,
        (history.remove_sql(row.version), history.restore_sql(row)),
        f"roll back migration {row.version}_{row.name} ({how})",
    )
    if lost:
        return replace(draft, destructive=True, reason=draft.reason + ": " + "; ".join(lost))
    return draft


def _down_trace(
    ctx: PlanContext, prefix: list[SqlStatement], statements: list[SqlStatement], lost: list[str]
) -> Trace:
    """Trace the down; a statement putting kept values back that this down cannot run (the
    down does not re-add the column under the name the values were kept for) is left out,
    and `lost` says which trash table still holds the values."""
    from mrpplan.desired.trace import trace_statements
    from mrpplan.errors import SqlError

    while True:
        try:
            return trace_statements(
                workspace_for(ctx.project, ctx.env),
                ctx.flavor,
                prefix,
                statements,
                ctx.project.cache_dir,
                keep_data_at=ctx.timestamp,
            )
        except SqlError as exc:
            failed = next((s for s in statements if s.text == exc.statement), None)
            trash = _TRASH_NAME.search(exc.statement or "")
            if failed is None or trash is None or not failed.text.startswith("UPDATE "):
                raise
            statements = [s for s in statements if s is not failed]
            lost.append(
                f"the values {failed.text.split(' SET ', 1)[-1]} cannot be put back by this"
                f" down ({exc.message.split(': ', 1)[-1]}): they stay in {trash.group(0)}"
                " until retention purges it"
            )


_TRASH_NAME = re.compile(r"_mrpplan_trash_(\d{14})_\w+")


def data_kept_in_down(down: Sequence[str], trace: Trace) -> list[str]:
    """The down SQL stored in history, bringing back what the up kept: a table the up moved
    to trash is renamed back (in place of the down's CREATE TABLE of it), and dropped column
    values are joined back from their copy once the down has re-added the columns.

    Renames are followed: a table renamed and then dropped comes back under the name it had
    before the migration, and a column renamed and then dropped gets its values back under
    its original name."""
    statements = list(down)
    origin: dict[str, str] = {}  # table name now -> its name before the migration
    for effect in trace.effects:
        for old, new in effect.renamed:
            origin[new] = origin.pop(old, old)
        for table, back in effect.kept:
            first = origin.pop(table, table)
            if first != table:
                back = tuple(_renamed_back(s, table, first) for s in back)
            create = re.compile(
                rf"^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?`?{re.escape(first)}`?[\s(]",
                re.I,
            )
            at = next((i for i, s in enumerate(statements) if create.match(s)), None)
            if at is None:
                statements.extend(back)
            else:
                statements[at : at + 1] = back
    restores = [r for effect in trace.effects for r in effect.restores]
    return statements + [_original_columns(r, trace.renames) for r in restores]


def _renamed_back(statement: str, table: str, first: str) -> str:
    """A statement bringing `table` back from trash, aimed at its first name instead."""
    from mrpplan.mysql.quote import ident

    if statement.startswith("RENAME TABLE ") and statement.endswith(f" TO {ident(table)}"):
        return statement.removesuffix(ident(table)) + ident(first)
    return statement.replace(f"ALTER TABLE {ident(table)} ", f"ALTER TABLE {ident(first)} ", 1)


def _original_columns(restore: str, renames: dict[str, dict[str, str]]) -> str:
    """`UPDATE t JOIN trash ... SET t.c = trash.c` with each c named as before the
    migration's renames (`CHANGE a b`, then `DROP COLUMN b`: the down re-adds `a`)."""
    from mrpplan.mysql.quote import ident

    for table, columns in renames.items():
        back = {new: old for old, new in columns.items()}
        for new in back:
            first, seen = new, {new}
            while first in back and back[first] not in seen:
                first = back[first]
                seen.add(first)
            target = f"{ident(table)}.{ident(new)} = "
            if target in restore and first != new:
                restore = restore.replace(target, f"{ident(table)}.{ident(first)} = ")
    return restore


def _prefix_as_applied(
    ctx: PlanContext,
    migrations: Sequence[Migration],
    row: history.HistoryRow,
    migration: Migration | None,
    down: Sequence[SqlStatement],
) -> tuple[list[SqlStatement], Any]:
    """The schema the down starts from, with the trash tables its up made (so the down can
    be traced), and the schema before the up (None when not needed)."""
    from mrpplan.desired.trace import trace_statements

    stamps = {m.group(1) for s in down for m in _TRASH_NAME.finditer(s.text)}
    if migration is None or len(stamps) != 1:
        return _prefix(ctx, migrations, row.number), None
    before = _prefix(ctx, migrations, row.number - 1)
    up = trace_statements(
        workspace_for(ctx.project, ctx.env),
        ctx.flavor,
        before,
        migration.up,
        ctx.project.cache_dir,
        keep_data_at=stamps.pop(),
    )
    return [*before, *(e.statement for e in up.effects)], up.before


def _without_purged_trash(
    ctx: PlanContext, down: Sequence[SqlStatement], before_up: Any
) -> tuple[list[SqlStatement], list[str]]:
    """Down statements that need a trash table that is gone (purged after retention) are
    replaced: the table comes back empty, the column values stay at their default. Each
    loss is said, with where the data still is (backups and checkpoints)."""
    from mrpplan.diff.changes import create_table_sql
    from mrpplan.mysql.table_stats import base_tables

    wanted = {m.group(0) for s in down for m in _TRASH_NAME.finditer(s.text)}
    if not wanted:
        return list(down), []
    present = set(base_tables(ctx.conn, ctx.env.connection.database))
    where = f"the backups and checkpoint files in {ctx.env.backup.dir} made before it was purged"
    kept: list[SqlStatement] = []
    lost: list[str] = []
    for statement in down:
        missing = sorted(n for n in wanted if n in statement.text and n not in present)
        if not missing:
            kept.append(statement)
            continue
        restored = re.match(
            r"^\s*RENAME\s+TABLE\s+`?\w+`?\s+TO\s+`?(\w+)`?\s*$", statement.text, re.I
        )
        table = restored.group(1) if restored else ""
        if restored and before_up is not None and table in before_up.tables:
            definition = before_up.tables[table]
            later = tuple(fk.name for fk in definition.foreign_keys)  # the down adds them
            kept.append(replace(statement, text=create_table_sql(definition, later)))
            lost.append(
                f"table `{table}` comes back EMPTY: its rows were kept in {missing[0]}, which "
                f"is gone (purged); they are only in {where}"
            )
        else:
            lost.append(
                f"the values {statement.text.split(' SET ', 1)[-1]} cannot be put back: "
                f"{missing[0]} is gone (purged); they are only in {where}"
            )
    return kept, lost


def base_history_draft(ctx: PlanContext) -> Step:
    """Create the history table and mark the base schema as present (version 000)."""
    from mrpplan.desired.directory import source_digest

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
    return Step(
        kind=kinds.RECORD_HISTORY,
        object=history.TABLE,
        sql=tuple(f for f, _ in pairs),
        reverse_sql=tuple(r for _, r in reversed(pairs)),
        reason="record that the base schema is in place (version 000)",
    )


def baseline_drafts(ctx: PlanContext) -> list[Step]:
    """`migrate baseline ENV --version V`: one step recording the base schema and every
    migration up to V as applied, on a database that has V's schema and no history.

    Refused when history exists or the live schema is not V's (the message lists what
    differs). The step only writes mrpplan_schema_history: its reverse forgets the rows.
    """
    from mrpplan.desired.directory import source_digest
    from mrpplan.errors import Refused
    from mrpplan.plan.schema_steps import drift_lines

    database = ctx.env.connection.database
    if ctx.live.schema_history:
        raise Refused(
            f"{database} ({ctx.env.name}) already has migration history; baseline is only "
            "for a database with none. Nothing was changed.",
            hint=f"see `mrpplan migrate status {ctx.env.name}`",
        )
    label = ctx.desired_version_label or "base"
    if ctx.live.schema.fingerprint() != ctx.desired_schema.fingerprint():
        raise Refused(
            f"the live schema of {ctx.env.name} does not match version {label}: "
            + "; ".join(drift_lines(ctx.desired_schema, ctx.live.schema))
            + ". Nothing was changed.",
            hint="pick the version the database really is at, or fix the differences first",
        )
    digest = source_digest(base_schema_statements(ctx.project.schema_dir))
    rows: list[tuple[str, str, str, list[str] | None]] = [
        (BASE_VERSION, "base_schema", digest, None)
    ]
    for m in load_migrations(ctx.project.migrations_dir):
        if m.number <= ctx.target_number:
            rows.append(
                (
                    m.version,
                    m.name,
                    m.checksum,
                    [s.text for s in m.down] if m.down is not None else None,
                )
            )
    drop = f"DROP TABLE IF EXISTS `{history.TABLE}`"
    pairs = [] if ctx.live.has_history_table else [(history.CREATE_SQL, drop)]
    pairs += [(history.record_sql(*row), history.remove_sql(row[0])) for row in rows]
    ctx.desired_schema_history.update((row[0], row[2]) for row in rows)
    return [
        Step(
            kind=kinds.RECORD_HISTORY,
            object=history.TABLE,
            sql=tuple(f for f, _ in pairs),
            reverse_sql=tuple(r for _, r in reversed(pairs)),
            reason=f"baseline: record that {database} is at version {label} "
            f"({', '.join(row[0] for row in rows)}) without running any migration",
        )
    ]


def preflight_checks(ctx: PlanContext, trace: Trace, written: set[str]) -> tuple[Any, ...]:
    """The pre-flight checks of a migration's traced schema change, against the live rows.

    A table whose rows the plan writes first (DML in this or an earlier pending migration)
    cannot be judged from its live rows: its checks are reported as not checked."""
    from mrpplan.desired.statements import data_tables
    from mrpplan.diff import diff_schemas
    from mrpplan.diff.preflight import checks_for

    before, after = trace.before.tables, trace.after.tables
    differing = {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}
    changes = (
        diff_schemas(trace.before, trace.after, renames=trace.renames or None)
        if differing & ctx.live.schema.tables.keys()
        else []  # only tables the plan creates change: they have no rows (`checks_for`)
    )
    mine = {t for e in trace.effects for t in data_tables(e.statement.text)}
    checks = []
    for check in checks_for(changes, ctx.live.schema):
        if check.table in written or check.table in mine:
            why = f"the plan writes rows of {check.table} before this change"
            check = replace(check, detail={**check.detail, "skip": why})
        checks.append(check)
    written.update(mine)
    return tuple(checks)


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
    kind: StepKind, name: str, trace: Trace, history_row: tuple[str, str], reason: str
) -> Step:
    """The traced statements, then the history row's (forward, reverse) statements."""
    pairs = [*statement_pairs(trace), history_row]
    reasons = [r for e in trace.effects for r in e.reasons]
    if reasons:
        reason += ": " + "; ".join(reasons)
    algorithms = [e.algorithm for e in trace.effects if e.algorithm != "n/a"]
    locks = [e.lock for e in trace.effects if e.lock != "n/a"]
    order = ("instant", "nocopy", "inplace", "copy")
    return Step(
        kind=kind,
        object=name,
        sql=tuple(f for f, _ in pairs),
        reverse_sql=tuple(r for _, r in reversed(pairs)),
        destructive=trace.destructive,
        reason=reason,
        algorithm=max(algorithms, key=order.index) if algorithms else "n/a",
        tables=trace.checkpoint_tables,
        needs_checkpoint=bool(trace.checkpoint_tables),
        lock=max(locks, key=("none", "shared", "exclusive").index) if locks else "n/a",
        changes=object_effects(trace),
    )


def object_effects(trace: Trace) -> tuple[dict[str, Any], ...]:
    """What the migration's SQL did to each object, measured from the trace (before and
    after schemas), so the plan's summary counts 11 created tables as 11 to add."""
    before, after = trace.before.canonical_texts(), trace.after.canonical_texts()
    losing = {t for e in trace.effects if e.destructive for t in (*e.altered, *e.checkpoint_tables)}
    effects: list[dict[str, Any]] = []
    for section in ("table", "view", "routine", "trigger", "event"):
        old, new = before.get(section, {}), after.get(section, {})
        for name in sorted(old.keys() | new.keys()):
            if name not in old:
                effect = "add"
            elif name not in new:
                effect = "destroy"
            elif old[name] != new[name]:
                effect = "destroy" if section == "table" and name in losing else "change"
            else:
                continue
            effects.append(
                {"type": "ObjectEffect", "object": section, "name": name, "effect": effect}
            )
    return tuple(effects)
