"""`restore ENV FILE` as a plan: load the backup into shadow tables, check, swap in.

The builder (registered as "restore", so a saved restore plan is re-checked at apply) reads
the manifest and the live database and refuses, before anything is written, what cannot
work: a data-only backup whose tables are missing or whose rows no longer fit the live
columns, or live tables with triggers (a RENAME cannot move them to another database).
The load step checks the shadow tables against the manifest (row counts and CHECKSUM
TABLE) before the swap, so a wrong load never becomes visible.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from mrpplan.backup.dump import is_internal
from mrpplan.backup.load import load_file
from mrpplan.backup.manifest import Manifest, read_manifest
from mrpplan.backup.row_width import row_shapes
from mrpplan.backup.timings import mark
from mrpplan.backup.verify import VerifyReport, compare_with_manifest
from mrpplan.config import Environment, Project
from mrpplan.errors import BackupError, Refused
from mrpplan.mysql import shadow
from mrpplan.mysql.catalog import database_charset, database_exists
from mrpplan.mysql.connection import Session, session
from mrpplan.mysql.quote import ident
from mrpplan.mysql.table_stats import base_tables, checksums_in_parallel
from mrpplan.plan.fingerprint import DatabaseState
from mrpplan.plan.kinds import RunContext
from mrpplan.plan.live import read_state
from mrpplan.plan.load import Load
from mrpplan.plan.providers import Wiring
from mrpplan.plan.replace import (
    desired_state,
    make_replace_plan,
    object_changes,
    replace_drafts,
    timestamp,
)
from mrpplan.plan.types import Plan, Step
from mrpplan.restore.impact import verified_with_schema
from mrpplan.restore.restore_mask import check_masked, mask_statements, masked_columns, rules_for
from mrpplan.restore.restore_scope import (
    RestoreScope,
    journal_draft,
    narrowed,
    removal_drafts,
)
from mrpplan.sync.mask import MaskRule

UNCHANGED = "Nothing was changed."


def restore_plan(
    project: Project,
    env: Environment,
    path: Path,
    now: datetime,
    *,
    allow_destructive: bool = False,
    tables: Sequence[str] = (),
    after_load: Callable[[str], Step] | None = None,
    origin: Mapping[str, Any] | None = None,
    verified: VerifyReport | None = None,
) -> Plan:
    """The plan that puts `path` into env's database (verifies the file first).

    Point-in-time restore (restore/pitr_plan.py) adds a step after the load (`after_load`,
    given the scratch database) and may restore only some `tables` of a full backup.

    A full backup is restored whole: tables, views, routines and events it lacks are
    removed (tables moved to the trash database, the others dropped with their definition
    as reverse SQL), each a step counted in "to destroy". Other kinds replace their tables
    and keep the rest. mrpplan's journal and temporary tables in a backup are skipped.
    `verified`: the report of the verify pass the command just made (it holds the backup's
    schema text), so the file is not read again before the load."""
    report = verified_with_schema(path, verified, record=False)
    manifest = report.manifest
    database = env.connection.database
    scope = RestoreScope.of(manifest)
    if tables:
        scope = dataclasses.replace(scope, whole=False, incoming=tuple(tables), absent=())
    stamp = timestamp(now)
    rules = rules_for(env, manifest)
    with session(env.connection, database=None) as conn:
        exists = database_exists(conn, database)
        if not exists:
            raise BackupError(
                f"{database} does not exist on {env.connection.endpoint()}",
                unchanged=UNCHANGED,
                hint=f"create it first: mrpplan migrate up {env.name}",
            )
        conn.select_db(database)
        live = [t for t in base_tables(conn, database) if not is_internal(t)]
        prior = read_state(conn, database)
        incoming = list(scope.incoming)
        removed = tuple(scope.removed(live))
        source = f"{manifest.env} ({manifest.database})"
        if manifest.kind == "data":
            check_data_backup(conn, database, path, manifest, live)
            backup_state = prior
            mask_sql = mask_statements(conn, database, rules, stamp, source)
        else:
            backup_state, mask_sql = _backup_state(env, report.schema_text, rules, stamp, source)
        objects = object_changes(
            prior.schema, backup_state.schema, [*incoming, *removed], events=scope.whole
        )
        swap = shadow.plan_swap(
            conn, database, stamp, incoming=incoming, live=live, removed=removed
        )
        load = Load(
            kind="backup",
            tables=tuple(incoming),
            definitions="live" if manifest.kind == "data" else "dump",
            file=str(path.resolve()),
            sha256=manifest.sha256,
            masked=masked_columns(rules) if mask_sql else {},
        )
        rows = sum(s.rows for s in manifest.tables.values())
        drafts = replace_drafts(
            swap,
            load,
            charset=database_charset(conn, database) or ("utf8mb4", "utf8mb4_general_ci"),
            mask_sql=mask_sql,
            what=f"{manifest.kind} backup {path.name}",
            rows=rows,
            objects=objects,
        )
        if after_load is not None:
            drafts.insert(2, after_load(swap.scratch))
        losses = narrowed(prior.schema, backup_state.schema, swap.replaced, manifest.kind)
        if losses:
            drafts[-1] = dataclasses.replace(
                drafts[-1],
                destructive=True,
                reason=drafts[-1].reason
                + "; it removes or narrows (the old tables keep the values): "
                + "; ".join(losses),
            )
        drafts += removal_drafts(swap, removed, prior.schema, backup_state.schema, scope.whole)
        drafts.append(journal_draft(path, manifest, swap))
        if scope.whole:
            desired = backup_state.fingerprint
            version = backup_state.schema_version
        else:
            desired = desired_state(prior, backup_state, incoming, removed, objects)
            version = None
        warnings = scope.warnings()
        destroys = [d.object for d in drafts if d.destructive]
        if destroys and not env.policy.allow_destructive and not allow_destructive:
            warnings.append(
                f"{env.name} does not allow destructive changes (policy.allow_destructive: "
                f"false): apply will refuse this restore ({len(destroys)} destructive "
                "step(s)) unless it is made with --allow-destructive after review"
            )
        origin = dict(origin or {"builder": "restore", "file": str(path.resolve())})
        if allow_destructive:
            origin["allow_destructive"] = True
        return make_replace_plan(
            env,
            conn,
            now=now,
            prior=prior,
            drafts=drafts,
            desired_fingerprint=desired,
            origin=origin,
            version=version,
            warnings=warnings,
        )


def check_data_backup(
    conn: Session, database: str, path: Path, manifest: Manifest, live: list[str]
) -> None:
    """A data-only backup must fit the live tables: same tables, same columns."""
    missing = sorted(set(manifest.tables) - set(live))
    if missing:
        raise BackupError(
            f"{path.name} is a data-only backup and table(s) {', '.join(missing)} do not exist "
            f"in {database}",
            unchanged=UNCHANGED,
            hint="restore a schema backup first, or use a full backup",
        )
    columns = _live_columns(conn, database)
    problems = []
    for table, shape in sorted(row_shapes(path, manifest.tables).items()):
        now = columns.get(table, [])
        if shape.names is not None and list(shape.names) != now[: len(shape.names)]:
            problems.append(f"{table} (backup columns {', '.join(shape.names)})")
        elif shape.names is None and shape.width != len(now):
            problems.append(f"{table} ({shape.width} columns in the backup, {len(now)} live)")
    if problems:
        raise Refused(
            f"{path.name} is a data-only backup whose rows no longer fit the live columns of "
            f"{database}: {'; '.join(problems)}. {UNCHANGED}",
            hint="restore a full backup, or bring the schema back to the backup's first",
        )


def _live_columns(conn: Session, database: str) -> dict[str, list[str]]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = %s ORDER BY table_name, ordinal_position",
            (database,),
        )
        found: dict[str, list[str]] = {}
        for table, column in cur.fetchall():
            found.setdefault(str(table), []).append(str(column))
    return found


def _backup_state(
    env: Environment, schema_text: bytes, rules: list[MaskRule], salt: str, source: str
) -> tuple[DatabaseState, list[str]]:
    """The backup's schema and history rows, read from a probe database (DDL only), and
    the mask UPDATEs for its tables."""
    from mrpplan.restore.impact import load_ddl

    probe = f"_mrpplan_ws_restore_{secrets.token_hex(4)}"
    with session(env.connection, database=None) as conn:
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE {ident(probe)} CHARACTER SET utf8mb4")
        try:
            load_ddl(env.connection, probe, schema_text)
            return read_state(conn, probe), mask_statements(conn, probe, rules, salt, source)
        finally:
            shadow.drop_database(conn, probe)


def stream_load(ctx: RunContext, load: Load, scratch: str) -> None:
    """Load the file, and prove it loaded right before anything (masking) changes it.

    The file is hashed while it loads (the swap needs the file that was verified), and
    the manifest's row counts and checksums are taken as soon as every row is in, while
    the secondary keys are still being built (CHECKSUM TABLE reads the rows only)."""
    path = Path(load.file)
    manifest = read_manifest(path)
    if manifest.sha256 != load.sha256:
        raise BackupError(f"{path} changed since the plan was made (sha256 differs)")
    with ThreadPoolExecutor(max_workers=1) as pool:
        checks: list[Future[dict[str, dict[str, int | None]]]] = []

        def start_checks() -> None:
            tables = list(manifest.tables)
            checks.append(pool.submit(checksums_in_parallel, ctx.env.connection, scratch, tables))

        load_file(
            path,
            ctx.env.connection,
            scratch,
            what=f"loading {path.name} into {scratch}",
            sha256=load.sha256,  # verified while it loads: the swap needs the verified file
            after_rows=start_checks,
        )
        mark("load finished")
        if not checks:
            start_checks()
        found = checks[0].result()
    problems = compare_with_manifest(manifest, found)
    if problems:
        raise BackupError(
            f"the loaded copy of {path.name} differs from its manifest: " + "; ".join(problems[:5])
        )
    mark("manifest checked")


def check_load(ctx: RunContext, load: Load, scratch: str) -> None:
    """After the mask UPDATEs: no masked column holds a value of the backup."""
    if load.masked:
        with session(ctx.env.connection, database=scratch) as work:
            check_masked(work, scratch, load.masked)


def build_again(
    project: Project, env: Environment, origin: Mapping[str, Any], now: datetime, wiring: Wiring
) -> Plan:
    """The builder `apply` makes this plan again with (plan/rebuild.py)."""
    return restore_plan(
        project,
        env,
        Path(str(origin["file"])),
        now,
        allow_destructive=bool(origin.get("allow_destructive")),
    )
