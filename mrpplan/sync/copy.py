"""Copying one environment's database into another: plan it, then run it safely.

A copy streams the source's `mariadb-dump --single-transaction` (consistent, no locks: fine
on a protected production server) straight into the destination's `mariadb` client; no
temporary file, credentials only in 0600 option files (mysql/client_process.py).

Order of a run (`run_copy`):
  1. the destination database is created if missing (with the source's character set);
  2. checkpoint: the destination tables the copy will overwrite or drop are saved
     (backup/checkpoint.py), unless --no-backup;
  3. destination tables/views that the selection covers but the source lacks are dropped,
     so a full clone leaves the destination's schema equal to the source's;
  4. the dump is piped in; then mrpplan_schema_history (and for data copies
     mrpplan_seed_history) from the source, for whole-database copies only;
  5. the destination's `sync.mask` rules run as UPDATEs, and the verification proves no
     source value of a masked column is left.
Any failure in 3-5 restores the checkpoint, drops the tables the copy created, and raises.

mrpplan's own tables: `mrpplan_apply_journal` and `_mrpplan*` (trash, workspaces) are never
copied; the destination keeps its own journal. The schema history IS copied on whole-database
copies because the destination's schema then equals the source's, so the source's recorded
version is the true one. A schema-only whole copy empties the destination's seed history
(its seeded rows are gone); a partial copy (--include) leaves both histories alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from mrpplan.config.settings import Environment
from mrpplan.errors import MrpplanError, Refused, UsageError
from mrpplan.mysql.catalog import database_exists
from mrpplan.mysql.client_process import DumpSpec, pipe_dump
from mrpplan.mysql.connection import Connection, connect
from mrpplan.mysql.quote import ident, literal
from mrpplan.sync import catalog
from mrpplan.sync.catalog import ColumnInfo, TableStat
from mrpplan.sync.mask import (
    MaskCheck,
    MaskRule,
    apply_masks,
    check_rules,
    parse_rules,
    verify_masks,
)
from mrpplan.sync.select import SCHEMA_HISTORY, SEED_HISTORY, Selection, selection_for

Progress = Callable[[str], None]


@dataclass(frozen=True)
class CopyOptions:
    """What the user asked for; None/empty means "as the destination's sync: section says"."""

    schema_only: bool | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    backup: bool = True


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


@dataclass(frozen=True)
class CopyResult:
    plan: CopyPlan
    checkpoint: Path | None
    sql_bytes: int
    seconds: float
    masks: list[MaskCheck]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.plan.as_dict(),
            "checkpoint": str(self.checkpoint) if self.checkpoint else None,
            "sql_bytes": self.sql_bytes,
            "seconds": round(self.seconds, 3),
            "mask_checks": [m.as_dict() for m in self.masks],
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


def _read_side(conn: Connection, database: str) -> _Side:
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
    src = connect(source.connection)
    try:
        theirs = _read_side(src, src_db)
        columns = catalog.columns(src, src_db)
        charset = catalog.database_charset(src, src_db)
        keys = {r.table: catalog.unique_keys(src, src_db, r.table) for r in rules}
    finally:
        src.close()
    dst = connect(target.connection, database=None)
    try:
        ours = _read_side(dst, target.connection.database)
    finally:
        dst.close()
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
    )


def _refuse_same(source: Environment, target: Environment) -> NoReturn:
    raise UsageError(
        f"{source.name} and {target.name} are the same database ({target.connection.describe()})",
        unchanged="Nothing was copied.",
    )


def check_approval(
    target: Environment, *, auto_approve: bool, ask: Callable[[str], str] | None
) -> None:
    """Writing into a protected environment needs its typed name (terminal) or --auto-approve."""
    if not target.protected or auto_approve:
        return
    if ask is None:
        raise Refused(
            f"{target.name} is protected: writing into it needs the typed environment name on a "
            "terminal, or --auto-approve",
            unchanged="Nothing was changed.",
        )
    answer = ask(f"{target.name} is protected. Type its name to overwrite it")
    if answer.strip() != target.name:
        raise Refused(
            f"the typed name did not match {target.name!r}", unchanged="Nothing was changed."
        )


def run_copy(
    plan: CopyPlan,
    options: CopyOptions,
    progress: Progress | None = None,
    on_bytes: Callable[[int], None] | None = None,
    *,
    approved: bool = False,
) -> CopyResult:
    """Carry out a planned copy; on failure restore the destination and raise.

    `progress` gets a line per phase, `on_bytes` the size of each chunk of SQL streamed.
    A protected destination needs `approved` (see check_approval)."""
    if plan.target.protected and not approved:
        check_approval(plan.target, auto_approve=False, ask=None)
    say = progress or (lambda _message: None)
    started = time.monotonic()
    target = plan.target
    if not plan.target_exists:
        _create_database(plan)
    checkpoint = None
    if options.backup and plan.overwritten:
        say(f"checkpoint of {len(plan.overwritten)} table(s) of {target.name}")
        checkpoint = _save_checkpoint(target, plan.overwritten, plan.source.name)
    try:
        moved = _load(plan, say, on_bytes)
        checks = _mask(plan, say)
    except BaseException as exc:
        try:
            _undo(plan, checkpoint, say)
        except MrpplanError as undo_failed:
            kept = f" The checkpoint is {checkpoint}." if checkpoint else ""
            raise MrpplanError(
                f"{_message(exc)}; then putting {target.name} back failed too: "
                f"{undo_failed.message}.{kept}"
            ) from exc
        if isinstance(exc, MrpplanError):
            exc.unchanged = _undo_note(plan, checkpoint, options)
        raise
    return CopyResult(plan, checkpoint, moved, time.monotonic() - started, checks)


def _message(exc: BaseException) -> str:
    return exc.message if isinstance(exc, MrpplanError) else f"{type(exc).__name__}: {exc}"


def _create_database(plan: CopyPlan) -> None:
    charset, collation = plan.charset
    conn = connect(plan.target.connection, database=None)
    try:
        with conn.cursor() as cur:
            cur.execute(
                f"CREATE DATABASE IF NOT EXISTS {ident(plan.target.connection.database)}"
                f" CHARACTER SET {literal(charset)} COLLATE {literal(collation)}"
            )
    finally:
        conn.close()


def _save_checkpoint(target: Environment, tables: list[str], source: str) -> Path:
    from mrpplan.backup.checkpoint import save_checkpoint

    return save_checkpoint(target, tables, label=f"before sync from {source}")


def _load(plan: CopyPlan, say: Progress, on_bytes: Callable[[int], None] | None) -> int:
    src, dst = plan.source.connection, plan.target.connection
    if plan.drop or plan.drop_routines:
        say(f"dropping {len(plan.drop) + len(plan.drop_routines)} object(s) the source lacks")
        conn = connect(dst)
        try:
            _drop(conn, plan.drop, plan.target_objects)
            with conn.cursor() as cur:
                for kind, name in plan.drop_routines:
                    cur.execute(f"DROP {kind} IF EXISTS {ident(name)}")
        finally:
            conn.close()
    moved = 0
    if plan.tables:
        say(f"copying {len(plan.tables)} table(s) from {plan.source.name}")
        moved += pipe_dump(src, _main_spec(plan), dst, dst.database, on_bytes=on_bytes)
    if plan.histories:
        spec = DumpSpec(src.database, tables=tuple(plan.histories), routines=False)
        moved += pipe_dump(src, spec, dst, dst.database)
    if plan.clear_seed_history:
        conn = connect(dst)
        try:
            with conn.cursor() as cur:
                cur.execute(f"DELETE FROM {ident(SEED_HISTORY)}")
        finally:
            conn.close()
    return moved


def _main_spec(plan: CopyPlan) -> DumpSpec:
    """Whole database (with routines) minus what is not selected, or just the picked tables."""
    database = plan.source.connection.database
    data = not plan.schema_only
    if plan.selection.partial:
        return DumpSpec(
            database, tables=tuple(t.name for t in plan.tables), data=data, routines=False
        )
    picked = {t.name for t in plan.tables}
    skipped = tuple(n for n in plan.source_names if n not in picked)
    return DumpSpec(database, exclude=skipped, data=data, routines=True)


def _drop(conn: Connection, names: list[str], kinds: dict[str, str]) -> None:
    with conn.cursor() as cur:
        cur.execute("SET SESSION foreign_key_checks = 0")
        for name in names:
            what = "VIEW" if kinds.get(name) == "view" else "TABLE"
            cur.execute(f"DROP {what} IF EXISTS {ident(name)}")


def _mask(plan: CopyPlan, say: Progress) -> list[MaskCheck]:
    if not plan.masks or plan.schema_only:
        return []
    say(f"masking {len(plan.masks)} column(s)")
    src = connect(plan.source.connection)
    dst = connect(plan.target.connection)
    try:
        changed = apply_masks(dst, plan.target.connection.database, plan.masks, plan.source_columns)
        checks = verify_masks(
            src,
            plan.source.connection.database,
            dst,
            plan.target.connection.database,
            plan.masks,
            changed,
        )
    finally:
        src.close()
        dst.close()
    leaks = [c for c in checks if c.remaining]
    if leaks:
        detail = ", ".join(f"{c.rule.key}: {c.remaining} value(s)" for c in leaks)
        raise MrpplanError(f"masking left source values in {plan.target.name}: {detail}")
    return checks


def _undo(plan: CopyPlan, checkpoint: Path | None, say: Progress) -> None:
    """Put the destination back: drop what the copy created, restore the checkpoint."""
    say(f"copy failed: restoring {plan.target.name}")
    if not plan.target_exists:
        conn = connect(plan.target.connection, database=None)
        try:
            with conn.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS {ident(plan.target.connection.database)}")
        finally:
            conn.close()
        return
    conn = connect(plan.target.connection)
    try:
        now = {t.name: t.kind for t in catalog.table_stats(conn, plan.target.connection.database)}
        _drop(conn, [n for n in plan.created if n in now], now)
    finally:
        conn.close()
    if checkpoint is not None:
        from mrpplan.backup.checkpoint import restore_checkpoint

        restore_checkpoint(plan.target, checkpoint)


def _undo_note(plan: CopyPlan, checkpoint: Path | None, options: CopyOptions) -> str:
    if not plan.target_exists:
        database = plan.target.connection.database
        return f"The database {database} did not exist before and was dropped again."
    if checkpoint is not None:
        return f"{plan.target.name} was restored from the checkpoint {checkpoint.name}."
    if not plan.overwritten:
        return f"{plan.target.name} had none of the copied tables; the ones created were dropped."
    if not options.backup:
        return f"--no-backup: {plan.target.name} may hold a partial copy of the tables."
    return ""
