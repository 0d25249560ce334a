"""CLI: restore ENV [FILE] [--dry-run] [--backup-first] [--force] [--verify]."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table

from mrpplan import sandbox
from mrpplan.backup.catalog import list_backups
from mrpplan.backup.impact import ACTIONS, RestoreImpact, assess_restore
from mrpplan.backup.locate import locate_backup
from mrpplan.backup.restore import restore_backup
from mrpplan.backup.verify import verify_backup
from mrpplan.cli.backup import adopt_legacy, backup_folders, backups_table
from mrpplan.cli.context import AppContext, pass_app
from mrpplan.cli.progress_bar import progress_for
from mrpplan.config.settings import Environment
from mrpplan.errors import BackupError, Refused, UsageError


@click.command("restore")
@click.argument("env")
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what the restore would change; change nothing.")
@click.option(
    "--backup-first/--no-backup-first",
    default=None,
    help="Take a rollback point first (default: on for protected environments).",
)
@click.option("--force", is_flag=True, help="Do not ask (needed when stdin is not a terminal).")
@click.option("--verify", "deep", is_flag=True, help="Test-restore the file in the sandbox first.")
@pass_app
def restore_command(
    app: AppContext,
    env: str,
    file: Path | None,
    dry_run: bool,
    backup_first: bool | None,
    force: bool,
    deep: bool,
) -> None:
    """Restore a backup into an environment's database (the file is verified first).

    \b
    Examples:
      mrpplan restore staging                   choose from the list of backups
      mrpplan restore staging FILE --dry-run    what would change, row counts, schema diff
      mrpplan restore prod FILE --backup-first  take a rollback point, then restore
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
    render_impact(app, impact, show_schema=dry_run)
    if dry_run:
        app.console.print("Dry run: nothing was changed.")
        return
    _confirm(app, environment, impact, force)
    take_rollback = environment.protected if backup_first is None else backup_first
    result = restore_backup(
        environment,
        path,
        backup_first=take_rollback,
        progress=progress_for(app.err_console),
        verified=True,
    )
    app.console.print(
        f"Restored {path.name} into {environment.name} ({environment.connection.database}) in "
        f"{result.seconds:.1f} s; row counts and checksums match the manifest."
    )
    if result.rollback:
        app.console.print(f"Rollback point: {result.rollback}")


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


def _confirm(app: AppContext, env: Environment, impact: RestoreImpact, force: bool) -> None:
    if force:
        return
    if not sys.stdin.isatty():
        raise Refused(
            f"restoring into {env.name} replaces tables and stdin is not a terminal: refusing "
            "without --force",
            unchanged="Nothing was changed.",
        )
    if env.protected:
        typed = click.prompt(f"{env.name} is protected. Type its name to restore into it")
        if typed.strip() != env.name:
            raise Refused("the name did not match; nothing was changed")
    elif not click.confirm(f"Restore {impact.path.name} into {env.name}?", default=False):
        raise Refused("not confirmed; nothing was changed")


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
        elif not impact.schema_changes:
            app.console.print(f"Schema: the backup's schema matches live ({impact.schema_note}).")
        else:
            app.console.print(f"Schema changes live -> backup ({impact.schema_note}):")
            for line in impact.schema_changes:
                app.console.print(f"  {line}")


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


COMMANDS: list[click.Command] = [restore_command]
