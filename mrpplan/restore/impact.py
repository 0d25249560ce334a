"""What a restore would do (`restore --dry-run`): tables replaced, emptied, created or kept,
row counts now vs in the backup, and the schema difference between the backup and live."""

from __future__ import annotations

import contextlib
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from mrpplan.backup.dump import is_internal
from mrpplan.backup.manifest import Manifest
from mrpplan.backup.verify import VerifyReport, verify_backup
from mrpplan.config.settings import ConnectionSettings, Environment
from mrpplan.errors import MrpplanError
from mrpplan.mysql.client_process import open_loader
from mrpplan.mysql.connection import Session, session
from mrpplan.mysql.quote import ident
from mrpplan.mysql.table_stats import base_tables
from mrpplan.plan.live import SCHEMA_HISTORY, SEED_HISTORY
from mrpplan.restore.restore_mask import rules_for
from mrpplan.restore.restore_scope import RestoreScope, skipped_table

HISTORY_ROWS = (SCHEMA_HISTORY, SEED_HISTORY)  # rows the backup's schema state includes

ACTIONS = {
    "replace": "dropped and re-created from the backup (current rows are replaced)",
    "empty": "dropped and re-created EMPTY (schema-only backup: current rows are lost)",
    "reload": "emptied and reloaded with the backup's rows (data-only backup)",
    "create": "created from the backup",
    "keep": "kept as it is (not in the backup)",
    "trash": "moved to the trash database (the full backup has no such table)",
    "skip": "skipped: mrpplan's journal or temporary table, never restored over the live one",
}


@dataclass(frozen=True)
class TableImpact:
    table: str
    action: str  # replace | empty | reload | create | keep | trash | skip
    rows_now: int | None
    rows_backup: int | None

    @property
    def loses_rows(self) -> bool:
        return self.action in ("replace", "empty", "reload", "trash") and bool(self.rows_now)


@dataclass(frozen=True)
class RestoreImpact:
    env: str
    database: str
    path: Path
    manifest: Manifest
    tables: list[TableImpact]
    schema_changes: list[str] | None = None  # None: the comparison could not be made
    schema_note: str = ""
    notes: list[str] = field(default_factory=list)
    report: VerifyReport | None = None  # the verify pass (with the schema text)

    @property
    def destructive(self) -> bool:
        return any(t.loses_rows for t in self.tables)


def assess_restore(
    env: Environment,
    path: Path,
    *,
    schema_diff: bool = True,
    verified: VerifyReport | None = None,
) -> RestoreImpact:
    """Verify the file (unless `verified` is its report, with the schema text), then
    describe what restoring it into env's database would change.

    The verify pass (decompressor and hash: this machine's cores) runs while the live
    tables are counted (the server's); the report keeps the pass for the plan."""
    settings = env.connection
    database = settings.database
    with ThreadPoolExecutor(max_workers=1) as pool:
        verifying = pool.submit(verified_with_schema, path, verified, record=True)
        try:
            with session(settings) as conn:
                live = [t for t in base_tables(conn, database) if not is_internal(t)]
                counts = _counts(conn, database, sorted(set(live)))
        finally:
            report = verifying.result()  # a failed verify is the error to report
    manifest = report.manifest
    scope = RestoreScope.of(manifest)
    removed = set(scope.removed(live))
    action_for = {"schema": "empty", "data": "reload"}.get(manifest.kind, "replace")
    impacts = [
        TableImpact(
            t,
            "skip" if skipped_table(t) else action_for if t in counts else "create",
            counts.get(t),
            stats.rows,
        )
        for t, stats in sorted(manifest.tables.items())
    ]
    impacts += [
        TableImpact(t, "trash" if t in removed else "keep", counts[t], None)
        for t in sorted(set(live) - set(manifest.tables))
    ]
    notes = []
    if manifest.database != database:
        notes.append(
            f"the backup was taken from database {manifest.database} ({manifest.env}); "
            f"it will be loaded into {database} ({env.name})"
        )
    if manifest.kind == "data":
        missing = [i.table for i in impacts if i.action == "create"]
        if missing:
            notes.append(f"data-only backup: table(s) {', '.join(missing)} must exist first")
        return RestoreImpact(
            env.name,
            database,
            path,
            manifest,
            impacts,
            [],
            "data-only backup: the schema is not changed",
            notes,
            report,
        )
    masks = rules_for(env, manifest)
    if masks:
        notes.append(
            f"a backup of another environment or database: {env.name}'s sync.mask rules mask "
            + ", ".join(f"{r.key} ({r.spec})" for r in masks)
            + " in the scratch database, before anything is swapped in"
        )
    changes, note = (None, "schema comparison skipped")
    if schema_diff:
        changes, note = _schema_changes(settings, database, report.schema_text)
    return RestoreImpact(env.name, database, path, manifest, impacts, changes, note, notes, report)


def _counts(conn: Session, database: str, tables: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    with conn.cursor() as cur:
        for table in tables:
            cur.execute(f"SELECT COUNT(*) FROM {ident(database)}.{ident(table)}")
            row = cur.fetchone()
            found[table] = int(row[0]) if row else 0
    return found


def verified_with_schema(
    path: Path, verified: VerifyReport | None, *, record: bool
) -> VerifyReport:
    """`verified` when it is this file's report with the schema text, else a new verify
    pass that keeps it (one pass over the file gives both)."""
    if verified is not None and verified.path == path and verified.schema_text:
        return verified
    return verify_backup(path, record=record, schema_rows=HISTORY_ROWS)


def _schema_changes(
    settings: ConnectionSettings, database: str, schema_text: bytes
) -> tuple[list[str] | None, str]:
    """Load the backup's DDL (no rows) into a scratch database and compare with live.

    Uses the schema engine when it is there; degrades to a per-object text comparison,
    and to "not available" (with the reason) when even that cannot run.
    """
    try:
        from mrpplan.mysql.inspect import inspect_schema
    except ImportError:
        return None, "schema comparison not available in this build"
    scratch = f"_mrpplan_ws_restore_{secrets.token_hex(4)}"
    try:  # a login that fails is reported the same way as a failed comparison
        with session(settings, database=None) as conn:
            with conn.cursor() as cur:
                cur.execute(f"CREATE DATABASE {ident(scratch)} CHARACTER SET utf8mb4")
            try:
                load_ddl(settings, scratch, schema_text)
                backup_schema = inspect_schema(conn, scratch)
                live_schema = inspect_schema(conn, database)
            finally:
                with conn.cursor() as cur:
                    cur.execute(f"DROP DATABASE IF EXISTS {ident(scratch)}")
    except Exception as exc:
        message = exc.message if isinstance(exc, MrpplanError) else str(exc)
        return None, f"schema comparison not available: {message}"
    try:
        from mrpplan.diff import diff_schemas  # type: ignore[attr-defined]

        changes = diff_schemas(live_schema, backup_schema)
        # What the backup does not hold: the plan's own steps (trash_table, drop_view...).
        held = _names(backup_schema)
        lines = [
            f"{c.kind} {c.table}: {c.reason}" for c in changes if getattr(c, "table", "") in held
        ]
        return lines, "schema engine diff (live -> backup)"
    except Exception:
        return _text_changes(live_schema, backup_schema), "object definitions compared as text"


def _names(schema: object) -> set[str]:
    sections = ("tables", "views", "routines", "triggers", "events")
    return {name for section in sections for name in getattr(schema, section)}


def _text_changes(live: object, backup: object) -> list[str]:
    lines: list[str] = []
    for section in ("tables", "views", "routines", "triggers", "events"):
        now = {n: o.canonical for n, o in getattr(live, section).items()}
        then = {n: o.canonical for n, o in getattr(backup, section).items()}
        kind = section.rstrip("s")
        for name in sorted(set(now) | set(then)):
            if name not in now:
                lines.append(f"add {kind} {name}")
            elif name not in then:
                if section != "tables":
                    lines.append(f"destroy {kind} {name} (not in the backup)")
            elif now[name] != then[name]:
                lines.append(f"change {kind} {name}: definition differs from the backup")
    return lines


def load_ddl(settings: ConnectionSettings, database: str, schema_text: bytes) -> None:
    """Run the backup's statements without its rows (a verify pass kept them:
    backup/schema_text.py) in `database`."""
    with open_loader(settings, database) as loader:
        with contextlib.suppress(OSError):
            loader.stdin.write(schema_text)
            loader.stdin.close()
        loader.check("loading the backup's schema into a scratch database")
