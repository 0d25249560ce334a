"""CLI: restore ENV [FILE] [--dry-run] [--out FILE] [--force] [--verify]: a restore plan."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mrpplan.backup.catalog import list_backups
from mrpplan.backup.locate import locate_backup
from mrpplan.cli.context import AppContext, pass_app
from mrpplan.cli.writing import out_option, skip_option, writing
from mrpplan.config.settings import Environment
from mrpplan.errors import BackupError, UsageError
from mrpplan.restore.views import backup_folders, backups_table, restore


@click.command("restore")
@click.argument("env")
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what the restore would change; change nothing.")
@out_option("Save the restore plan to FILE (apply it later with `mrpplan apply FILE`).")
@click.option(
    "--backup-first/--no-backup-first",
    default=False,
    help="Also save a rollback point of the whole database first (rollback_<env>_<ts>; "
    "the replaced tables are kept as trash anyway).",
)
@skip_option("--force", "--auto-approve")
@click.option("--verify", "deep", is_flag=True, help="Test-restore the file in the sandbox first.")
@click.option(
    "--allow-destructive",
    is_flag=True,
    help="Approve what the restore removes or narrows (tables, views, routines, events the "
    "backup lacks; dropped columns) where policy.allow_destructive is false; recorded in "
    "the plan.",
)
@click.option(
    "--to-time",
    metavar="'Y-M-D h:m:s'",
    help="Point-in-time restore: the database as it was at the end of that second (UTC), "
    "from the newest full backup before it and the archived binary logs.",
)
@click.option("--to-gtid", metavar="G", help="Point-in-time restore up to GTID G (included).")
@click.option(
    "--tables",
    "pitr_tables",
    metavar="T1,T2",
    default="",
    help="With --to-time/--to-gtid: only these tables go back; the others stay as they are.",
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
    to_time: str | None,
    to_gtid: str | None,
    pitr_tables: str,
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
      mrpplan restore prod --to-time '2026-12-07 14:02:59' --dry-run
      mrpplan restore prod --to-time '2026-12-07 14:02:59' --tables items
    """
    environment = app.environment(env)
    if to_time or to_gtid or pitr_tables:
        from mrpplan.restore.pitr_views import restore_to

        if file is not None or not (to_time or to_gtid) or (to_time and to_gtid):
            raise UsageError(
                "point-in-time restore: give one of --to-time or --to-gtid, and no FILE "
                "(the backup is chosen for the moment)"
            )
        restore_to(
            app.project,
            app.screen,
            environment,
            writing("restore", force, out, dry_run),
            to_time=to_time,
            to_gtid=to_gtid,
            tables=tuple(t.strip() for t in pitr_tables.split(",") if t.strip()),
            allow_destructive=allow_destructive,
        )
        return
    if file:
        path = locate_backup(file, backup_folders(app.project, app.environment))
    else:
        path = _choose(app, environment)
    write = writing("restore", force, out, dry_run)
    restore(
        app.project, app.screen, environment, path, write, deep, allow_destructive, backup_first
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


COMMANDS: list[click.Command] = [restore_command]
