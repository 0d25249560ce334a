"""Copying one environment's database into another (`sync pull` / `sync clone`) as a plan.

`plan_copy` reads both sides and decides what a copy does (what --dry-run lists);
`copy_plan` turns that into a Plan (builder "sync_copy") of the shadow steps of
plan/replace.py: the source's `mariadb-dump --single-transaction` streams into a scratch
database on the destination's server, the destination's `sync.mask` rules run there and are
verified, and one RENAME TABLE swaps the copies in (the replaced tables go to the trash
database). No unmasked row is ever visible in the destination; a kill leaves the
destination as it was (`recover` drops the scratch database).

Excluded tables keep their schema: one the destination lacks is created empty. mrpplan's
own tables: the journal and `_mrpplan*` are never copied; the schema history (and for data
copies the seed history) comes from the source on whole-database copies, because the
destination's schema then equals the source's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NoReturn

from mrpplan.config import Project, load_environment
from mrpplan.config.settings import Environment
from mrpplan.errors import MrpplanError, Refused, UsageError
from mrpplan.mysql import shadow
from mrpplan.mysql.catalog import database_exists
from mrpplan.mysql.client_process import DumpSpec, pipe_dump
from mrpplan.mysql.connection import Session, session
from mrpplan.plan.kinds import RunContext
from mrpplan.plan.live import empty_state, read_state
from mrpplan.plan.load import Load
from mrpplan.plan.providers import Wiring
from mrpplan.plan.replace import (
    desired_state,
    make_replace_plan,
    object_changes,
    replace_drafts,
    timestamp,
)
from mrpplan.plan.types import Plan
from mrpplan.sync import catalog
from mrpplan.sync import state as sync_state
from mrpplan.sync.catalog import ColumnInfo, TableStat
from mrpplan.sync.mask import (
    MaskCheck,
    MaskRule,
    check_rules,
    parse_rules,
    row_key,
    rules_by_table,
    update_statement,
    verify_masks,
)
from mrpplan.sync.select import SCHEMA_HISTORY, SEED_HISTORY, Selection, is_own, selection_for


@dataclass(frozen=True)
class CopyOptions:
    """What the user asked for; None/empty means "as the destination's sync: section says"."""

    schema_only: bool | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    salt: str = ""  # for masks keyed on masked columns; recorded in the plan's origin


@dataclass(frozen=True)
class CopyPlan:
    """Everything a copy will do, computed without changing anything (what --dry-run shows)."""

    source: Environment
    target: Environment
    selection: Selection
    schema_only: bool
    tables: list[TableStat]  # copied from the source, in name order
    drop: list[str]  # destination objects the selection covers that the source lacks
    histories: list[str]  # mrpplan history tables copied from the source
    clear_seed_history: bool
    masks: list[MaskRule]  # applied after the load
    skipped_masks: list[MaskRule]  # their table is not copied
    target_exists: bool
    target_objects: dict[str, str]  # existing destination name -> "table" | "view"
    charset: tuple[str, str]
    source_names: tuple[str, ...] = ()  # every table and view of the source
    source_columns: dict[str, dict[str, ColumnInfo]] = field(repr=False, default_factory=dict)
    drop_routines: list[tuple[str, str]] = field(default_factory=list)  # (kind, name)
    source_kinds: dict[str, str] = field(default_factory=dict)
    keys: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    @property
    def estimated_rows(self) -> int:
        return 0 if self.schema_only else sum(t.rows for t in self.tables)

    @property
    def estimated_bytes(self) -> int:
        return sum(t.bytes for t in self.tables)

    @property
    def overwritten(self) -> list[str]:
        """Existing destination tables whose contents the copy replaces or drops."""
        touched = {t.name for t in self.tables} | set(self.drop) | set(self.histories)
        if self.clear_seed_history:
            touched.add(SEED_HISTORY)
        return sorted(n for n in touched if self.target_objects.get(n) == "table")

    @property
    def created(self) -> list[str]:
        """Objects the copy creates that the destination did not have."""
        names = [t.name for t in self.tables] + self.histories
        return [n for n in names if n not in self.target_objects]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source.name,
            "target": self.target.name,
            "schema_only": self.schema_only,
            "selection": {
                "include": list(self.selection.include),
                "exclude": list(self.selection.exclude),
            },
            "tables": [
                {
                    "name": t.name,
                    "kind": t.kind,
                    "estimated_rows": 0 if self.schema_only else t.rows,
                    "estimated_bytes": t.bytes,
                }
                for t in self.tables
            ],
            "drop": self.drop,
            "drop_routines": [f"{kind.lower()} {name}" for kind, name in self.drop_routines],
            "histories": self.histories,
            "masks": [{"column": m.key, "rule": m.spec} for m in self.masks],
            "checkpoint_tables": self.overwritten,
            "estimated_rows": self.estimated_rows,
            "estimated_bytes": self.estimated_bytes,
        }


def same_database(a: Environment, b: Environment) -> bool:
    return (
        a.connection.endpoint() == b.connection.endpoint()
        and a.connection.database == b.connection.database
    )


@dataclass(frozen=True)
class _Side:
    """What plan_copy reads from one database."""

    exists: bool
    identity: tuple[str, ...]
    stats: list[TableStat]
    routines: set[tuple[str, str]]

    @property
    def kinds(self) -> dict[str, str]:
        return {t.name: t.kind for t in self.stats}


def _read_side(conn: Session, database: str) -> _Side:
    if not database_exists(conn, database):
        return _Side(False, catalog.server_identity(conn), [], set())
    return _Side(
        True,
        catalog.server_identity(conn),
        catalog.table_stats(conn, database),
        catalog.routines(conn, database),
    )


def plan_copy(source: Environment, target: Environment, options: CopyOptions) -> CopyPlan:
    """Read both sides and decide what the copy does; changes nothing."""
    if same_database(source, target):
        _refuse_same(source, target)
    selection = selection_for(target, options.include, options.exclude)
    configured = target.sync
    schema_only = (
        options.schema_only
        if options.schema_only is not None
        else bool(configured and configured.schema_only)
    )
    rules = parse_rules(configured.mask if configured else {}, str(target.file))
    src_db = source.connection.database
    with session(source.connection) as src:
        theirs = _read_side(src, src_db)
        columns = catalog.columns(src, src_db)
        charset = catalog.database_charset(src, src_db)
        keys = {r.table: catalog.unique_keys(src, src_db, r.table) for r in rules}
    with session(target.connection, database=None) as dst:
        ours = _read_side(dst, target.connection.database)
    if theirs.identity == ours.identity and src_db == target.connection.database:
        _refuse_same(source, target)
    unique = {t: {c for cols in k.values() for c in cols} for t, k in keys.items()}
    check_rules(rules, columns, unique, f"{source.name} ({src_db})")
    tables = selection.apply(theirs.stats)
    source_kinds, target_kinds = theirs.kinds, ours.kinds
    drop = [n for n, k in target_kinds.items() if selection.picks(n) and source_kinds.get(n) != k]
    whole = not selection.partial
    histories = []
    for history in (SCHEMA_HISTORY,) if schema_only else (SCHEMA_HISTORY, SEED_HISTORY):
        if whole and history in source_kinds:
            histories.append(history)
        elif whole and target_kinds.get(history) == "table":
            drop.append(history)  # the source has no known version: neither has its copy
    copied = {t.name for t in tables if t.kind == "table"}
    return CopyPlan(
        source=source,
        target=target,
        selection=selection,
        schema_only=schema_only,
        tables=tables,
        drop=sorted(drop),
        histories=histories,
        clear_seed_history=whole and schema_only and target_kinds.get(SEED_HISTORY) == "table",
        masks=[r for r in rules if r.table in copied],
        skipped_masks=[r for r in rules if r.table not in copied],
        target_exists=ours.exists,
        target_objects=target_kinds,
        charset=charset,
        source_names=tuple(source_kinds),
        source_columns=columns,
        drop_routines=sorted(ours.routines - theirs.routines) if whole else [],
        source_kinds=source_kinds,
        keys=keys,
    )


def _refuse_same(source: Environment, target: Environment) -> NoReturn:
    raise UsageError(
        f"{source.name} and {target.name} are the same database ({target.connection.describe()})",
        unchanged="Nothing was copied.",
    )


def copy_plan(
    target: Environment, source: Environment, options: CopyOptions, now: datetime
) -> Plan:
    """The plan that copies `source` into `target` (deterministic given `now`); the load
    step finds `source` again by name in the project's environments."""
    copy = plan_copy(source, target, options)
    database = target.connection.database
    with session(target.connection, database=None) as conn:
        drafts = []
        if copy.target_exists:
            conn.select_db(database)
            prior = read_state(conn, database)
        else:
            from mrpplan.plan.planner import create_database_draft

            drafts.append(create_database_draft(target, conn))
            prior = empty_state()
        live = [n for n, k in copy.target_objects.items() if k == "table"]
        data_tables = [t.name for t in copy.tables if t.kind == "table"]
        empty = sorted(_kept_schema(copy, live))
        if copy.schema_only:
            empty, data_tables = sorted({*data_tables, *empty}), []
        dropped = tuple(n for n in copy.drop if copy.target_objects.get(n) == "table")
        if copy.clear_seed_history:  # a schema-only copy leaves no seeded rows
            if copy.source_kinds.get(SEED_HISTORY) == "table":
                empty.append(SEED_HISTORY)
            else:
                dropped = (*dropped, SEED_HISTORY)
        incoming = sorted({*data_tables, *empty, *copy.histories, sync_state.STATE_TABLE})
        stamp = timestamp(now)
        with session(source.connection) as src:
            theirs = read_state(src, source.connection.database)
        if copy.target_exists:
            swap = shadow.plan_swap(
                conn, database, stamp, incoming=incoming, live=live, dropped=dropped
            )
        else:
            swap = shadow.Swap(
                database,
                shadow.shadow_database(shadow.LOAD_PREFIX, stamp, database),
                shadow.shadow_database(shadow.TRASH_PREFIX, stamp, database),
                replaced=(),
                created=tuple(incoming),
                dropped=(),
                repointed=(),
            )
        whole = not copy.selection.partial
        objects = object_changes(
            prior.schema,
            theirs.schema if whole else prior.schema,
            [*incoming, *dropped],
            exact=whole,
        )
        salt = str(options.salt or now.strftime("%Y%m%d%H%M%S"))
        load = Load(
            kind="sync",
            tables=tuple(sorted({*data_tables, *copy.histories})),
            source=source.name,
            database=source.connection.database,
            empty=tuple(empty),
            masked={
                t: {m.column: m.spec for m in copy.masks if m.table == t} for t in _tables(copy)
            },
        )
        drafts += replace_drafts(
            swap,
            load,
            charset=copy.charset,
            mask_sql=_mask_sql(copy, salt),
            what=f"{len(incoming)} table(s) of {source.name}",
            rows=copy.estimated_rows,
            objects=objects,
        )
        desired = desired_state(prior, theirs, incoming, dropped, objects)
        if copy.clear_seed_history:  # its copy is empty
            desired = desired_state(prior, theirs, incoming, (*dropped, SEED_HISTORY), objects)
        origin = {
            "builder": "sync_copy",
            "source": source.name,
            "schema_only": options.schema_only,
            "include": list(options.include),
            "exclude": list(options.exclude),
            "salt": salt,
        }
        target_conn = conn
        return make_replace_plan(
            target,
            target_conn,
            now=now,
            prior=prior,
            drafts=drafts,
            desired_fingerprint=desired,
            origin=origin,
            warnings=_warnings(copy),
        )


def _tables(copy: CopyPlan) -> list[str]:
    return sorted({m.table for m in copy.masks})


def _kept_schema(copy: CopyPlan, live: list[str]) -> list[str]:
    """Source tables the selection leaves out that the destination lacks: created empty,
    so an excluded table keeps its schema and loses only its data copy."""
    picked = {t.name for t in copy.tables}
    if copy.selection.partial:
        return []
    return [
        name
        for name, kind in copy.source_kinds.items()
        if kind == "table" and name not in picked and not is_own(name) and name not in live
    ]


def _mask_sql(copy: CopyPlan, salt: str) -> list[str]:
    if copy.schema_only:
        return []
    statements = []
    for table, rules in sorted(rules_by_table(copy.masks).items()):
        columns = copy.source_columns[table]
        statements.append(
            update_statement(
                table, rules, row_key(copy.keys.get(table, {}), columns), columns, salt
            )
        )
    return statements


def _warnings(copy: CopyPlan) -> list[str]:
    found = []
    if copy.skipped_masks:
        found.append(
            "mask rules not used (table not copied): "
            + ", ".join(m.key for m in copy.skipped_masks)
        )
    return found


def stream_load(ctx: RunContext, load: Load, scratch: str) -> None:
    source = load_environment(ctx.project, load.source)
    if source.connection.database != load.database:
        raise Refused(
            f"{source.name} now points at database {source.connection.database}, the plan "
            f"was made from {load.database}: make a new plan"
        )
    target = ctx.env.connection
    if load.tables:
        spec = DumpSpec(
            load.database,
            tables=load.tables,
            schema=load.definitions != "live",
            routines=False,
            extra=("--skip-triggers", "--complete-insert"),
        )
        pipe_dump(source.connection, spec, target, scratch)
    if load.empty:
        spec = DumpSpec(
            load.database, tables=load.empty, data=False, routines=False, extra=("--skip-triggers",)
        )
        pipe_dump(source.connection, spec, target, scratch)


def check_load(ctx: RunContext, load: Load, scratch: str) -> None:
    """No source value of a masked column may be left in the copy; then the sync state
    (sync/state.py) of the copied tables is written next to them, to be swapped in too."""
    rules = parse_rules(
        {f"{t}.{c}": r for t, cols in load.masked.items() for c, r in cols.items()}, "plan"
    )
    source = load_environment(ctx.project, load.source)
    with session(source.connection) as src, session(ctx.env.connection, database=scratch) as work:
        if rules:
            checks = verify_masks(src, load.database, work, scratch, rules, {})
            leaks = [c for c in checks if c.remaining]
            if leaks:
                detail = ", ".join(f"{c.rule.key}: {c.remaining} value(s)" for c in leaks)
                raise MrpplanError(f"masking left source values in the copy: {detail}")
        data = [t for t in load.tables if not is_own(t)]
        theirs = sync_state.checksums(src, load.database, data)
        ours = sync_state.checksums(work, scratch, data)
        copied = {t: sync_state.Copied(source.name, theirs.get(t), ours.get(t)) for t in data}
        sync_state.write_shadow_state(work, scratch, ctx.env.connection.database, copied)


def check_masks(copy: CopyPlan) -> list[MaskCheck]:
    """After a copy: per masked column, how many source values are in the destination (the
    load step already refused any; this is the report a user reads)."""
    if not copy.masks or copy.schema_only:
        return []
    with session(copy.source.connection) as src, session(copy.target.connection) as dst:
        return verify_masks(
            src,
            copy.source.connection.database,
            dst,
            copy.target.connection.database,
            copy.masks,
            {},
        )


def build_again(
    project: Project, env: Environment, origin: Mapping[str, Any], now: datetime, wiring: Wiring
) -> Plan:
    """The builder `apply` makes this plan again with (plan/rebuild.py)."""
    options = CopyOptions(
        origin.get("schema_only"),
        tuple(origin.get("include") or ()),
        tuple(origin.get("exclude") or ()),
        salt=str(origin.get("salt") or ""),
    )
    return copy_plan(env, load_environment(project, str(origin["source"])), options, now)
