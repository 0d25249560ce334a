"""CLI: restore ENV [FILE] [--dry-run] [--out FILE] [--force] [--verify]: a restore plan."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.table import Table

from mrpplan import sandbox
from mrpplan.apply.approval import Request
from mrpplan.backup.catalog import list_backups
from mrpplan.backup.impact import ACTIONS, RestoreImpact, assess_restore
from mrpplan.backup.locate import locate_backup
from mrpplan.backup.restore_plan import check_data_backup, restore_plan
from mrpplan.backup.verify import verify_backup
from mrpplan.cli.backup import adopt_legacy, backup_folders, backups_table
from mrpplan.cli.context import AppContext, pass_app
from mrpplan.cli.progress_bar import progress_for
from mrpplan.cli.writing import carry_out
from mrpplan.config.settings import Environment
from mrpplan.errors import BackupError, UsageError
from mrpplan.plan.types import Plan


@click.command("restore")
@click.argument("env")
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what the restore would change; change nothing.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the restore plan to FILE (apply it later with `mrpplan apply FILE`).",
)
@click.option(
    "--backup-first/--no-backup-first",
    default=False,
    help="Also save a rollback point of the whole database first (rollback_<env>_<ts>; "
    "the replaced tables are kept as trash anyway).",
)
@click.option(
    "--force",
    "--auto-approve",
    "force",
    is_flag=True,
    help="Do not ask (unprotected environments only).",
)
@click.option("--verify", "deep", is_flag=True, help="Test-restore the file in the sandbox first.")
@click.option(
    "--allow-destructive",
    is_flag=True,
    help="Approve what the restore removes or narrows (tables, views, routines, events the "
    "backup lacks; dropped columns) where policy.allow_destructive is false; recorded in "
    "the plan.",
)
@pass_app
def restore_command(
    app: AppContext,
    env: str,
    file: Path | None,
    dry_run: bool,
    out: Path | None,
    backup_first: bool,
    force: bool,
    deep: bool,
    allow_destructive: bool,
) -> None:
    """Restore a backup into an environment's database, as a plan.

    The file is verified first. The backup is loaded into shadow tables in a scratch
    database, checked against its manifest, and swapped in with one RENAME TABLE; the
    replaced tables are kept in a trash database until `backup --cleanup` purges them.
    A full backup is restored whole: what it lacks is moved to the trash (tables) or dropped
    (views, routines, events), counted in "to destroy"; where policy.allow_destructive is
    false that needs --allow-destructive (and, on a protected environment, its typed name
    or a reviewed plan file). mrpplan's journal is never replaced.

    \b
    Examples:
      mrpplan restore staging                   choose from the list of backups
      mrpplan restore staging FILE --dry-run    what would change, row counts, the plan
      mrpplan restore prod FILE --out plan.json save the plan; `mrpplan apply plan.json`
    """
    environment = app.environment(env)
    path = locate_backup(file, backup_folders(app)) if file else _choose(app, environment)
    path = adopt_legacy(app, environment, path)
    if deep:
        scratch = sandbox.up(sandbox.default_dir(app.project.root)).settings()
        verify_backup(
            path,
            deep=True,
            scratch=scratch,
            schema_source=environment.connection,
            progress=progress_for(app.err_console),
        )
    impact = assess_restore(environment, path, schema_diff=dry_run)
    if impact.manifest.kind == "data":
        _check_columns(environment, path, impact)
    render_impact(app, impact, show_schema=dry_run)

    def build() -> Plan:
        return restore_plan(
            app.project,
            environment,
            path,
            datetime.now(UTC).replace(microsecond=0),
            allow_destructive=allow_destructive,
        )

    result = carry_out(
        app,
        environment,
        build,
        Request("restore", skip_questions=force),
        out=out,
        dry_run=dry_run,
        sql_on_dry_run=False,
        backup_first="rollback" if backup_first else None,
    )
    if result is not None:
        app.console.print(
            f"Restored {path.name} into {environment.name} "
            f"({environment.connection.database}); row counts and checksums match the "
            "manifest (checked before the swap)."
        )


def _check_columns(env: Environment, path: Path, impact: RestoreImpact) -> None:
    """Refuse a data-only backup whose rows do not fit before saying anything else."""
    from mrpplan.mysql.connection import session

    with session(env.connection) as conn:
        check_data_backup(
            conn, env.connection.database, path, impact.manifest, [t.table for t in impact.tables]
        )


def _choose(app: AppContext, env: Environment) -> Path:
    if not sys.stdin.isatty():
        raise UsageError(
            "no backup FILE given and stdin is not a terminal: "
            f"usage: mrpplan restore {env.name} FILE (see mrpplan backup --list {env.name})"
        )
    entries = list_backups([env.backup.dir])
    if not entries:
        raise BackupError(f"no backups in {env.backup.dir}", unchanged="Nothing was changed.")
    app.console.print(backups_table(entries, app.project.root, numbered=True))
    choice = click.prompt("Restore which backup (number)", type=click.IntRange(1, len(entries)))
    return entries[choice - 1].path


def render_impact(app: AppContext, impact: RestoreImpact, *, show_schema: bool) -> None:
    m = impact.manifest
    app.console.print(
        f"Restore {impact.path.name} ({m.kind} backup of {m.env}/{m.database}, {m.created_at}) "
        f"into {impact.env} ({impact.database}); the file verified OK."
    )
    for note in impact.notes:
        app.console.print(f"  note: {note}")
    table = Table(box=None, header_style="bold")
    for column in ("table", "action", "rows now", "rows in backup"):
        table.add_column(column, justify="right" if column.startswith("rows") else "left")
    for t in impact.tables:
        table.add_row(t.table, t.action, _n(t.rows_now), _n(t.rows_backup))
    app.console.print(table)
    used = sorted({t.action for t in impact.tables})
    for action in used:
        app.console.print(f"  {action}: {ACTIONS[action]}")
    if show_schema:
        if impact.schema_changes is None:
            app.console.print(f"Schema: {impact.schema_note}")
        elif not impact.schema_changes and impact.manifest.kind == "data":
            app.console.print(
                f"Schema: {impact.schema_note}; the backup's rows fit the live columns."
            )
        elif not impact.schema_changes:
            app.console.print(f"Schema: the backup's schema matches live ({impact.schema_note}).")
        else:
            app.console.print(f"Schema changes live -> backup ({impact.schema_note}):")
            for line in impact.schema_changes:
                app.console.print(f"  {line}")


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


COMMANDS: list[click.Command] = [restore_command]
