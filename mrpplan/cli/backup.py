"""CLI: backup ENV | --list | --verify FILE | --cleanup (DESIGN §3.1, §3.5)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mrpplan.cli.context import AppContext, pass_app
from mrpplan.cli.writing import out_option, skip_option, writing
from mrpplan.errors import UsageError


@click.command("backup")
@click.argument("words", nargs=-1, metavar="[ENV] | import FILE [ENV]")
@click.option("--full", "full", is_flag=True, help="Schema and data (the default).")
@click.option(
    "--schema-only", "schema_only", is_flag=True, help="Tables, views, routines; no rows."
)
@click.option("--data-only", "data_only", is_flag=True, help="Rows only (tables must exist).")
@click.option(
    "--tables", "tables", multiple=True, metavar="T", help="Only these tables (repeat or a,b)."
)
@click.option("--compress", type=click.Choice(["gzip", "zstd"]), default="gzip", show_default=True)
@click.option("--label", default="", help="A note stored in the manifest.")
@click.option("--auto", is_flag=True, help="For cron: no prompts, no bar, one summary line.")
@click.option(
    "--binlogs",
    is_flag=True,
    help="Archive ENV's binary logs (incremental; safe from cron) for point-in-time restore.",
)
@click.option("--follow", is_flag=True, help="With --binlogs: keep archiving until Ctrl-C.")
@click.option("--list", "do_list", is_flag=True, help="List backups (of ENV, or of all).")
@click.option("--json", "as_json", is_flag=True, help="With --list: machine-readable output.")
@click.option(
    "--verify",
    "verify_file",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Check a backup file against its manifest.",
)
@click.option(
    "--deep",
    is_flag=True,
    help="With --verify: test-restore into the sandbox (import always does).",
)
@click.option(
    "--cleanup", is_flag=True, help="Delete backups past retention (keeps the last good)."
)
@click.option("--retention-days", type=click.IntRange(min=0), help="Override the env's retention.")
@click.option("--dry-run", is_flag=True, help="With --cleanup: only list what would go.")
@out_option("With --cleanup ENV: save the trash purge plan to FILE instead of running it.")
@skip_option(
    "--force",
    "--auto-approve",
    help="With --cleanup ENV: purge trash tables without asking (unprotected environments).",
)
@pass_app
def backup_command(
    app: AppContext,
    words: tuple[str, ...],
    full: bool,
    schema_only: bool,
    data_only: bool,
    tables: tuple[str, ...],
    compress: str,
    label: str,
    auto: bool,
    binlogs: bool,
    follow: bool,
    do_list: bool,
    as_json: bool,
    verify_file: Path | None,
    deep: bool,
    cleanup: bool,
    retention_days: int | None,
    dry_run: bool,
    out: Path | None,
    force: bool,
) -> None:
    """Back up an environment's database, or list, verify and clean up backups.

    \b
    Examples:
      mrpplan backup prod                      full backup with a progress bar
      mrpplan backup prod --schema-only --auto from cron: one line, exit code
      mrpplan backup prod --binlogs            archive binary logs (cron: every 5 min)
      mrpplan backup --list prod
      mrpplan backup --verify database/backups/mrp_erp_full_prod_20260101T000000Z.sql.gz --deep
      mrpplan backup --cleanup prod --retention-days 14 --dry-run
      mrpplan backup import old/mrp_erp_full_20250820_020000.sql.gz prod

    FILE may be a bare name: it is looked up in the backup folders. `import` adopts a backup
    made by the old backup.sh (mariadb-dump | gzip, no manifest): it checks the stream and
    the dump trailer, test-loads it into the sandbox, and writes a manifest.
    """
    kinds = [
        f
        for f, on in (("--full", full), ("--schema-only", schema_only), ("--data-only", data_only))
        if on
    ]
    if len(kinds) > 1:
        raise UsageError(f"{' and '.join(kinds)} cannot be combined: choose one kind of backup")
    kind = {"--schema-only": "schema", "--data-only": "data"}.get(kinds[0] if kinds else "", "full")
    if words and words[0] == "import":
        from mrpplan.restore import views

        if len(words) not in (2, 3):
            raise UsageError("usage: mrpplan backup import FILE [ENV]")
        target = app.environment(words[2] if len(words) == 3 else "local")
        views.import_file(app.project, app.screen, app.environment, Path(words[1]), target)
        return
    if len(words) > 1:
        raise UsageError(f"one environment at a time ({', '.join(words)} given)")
    env = words[0] if words else None
    modes = [
        m
        for m, on in (("--list", do_list), ("--verify", verify_file), ("--cleanup", cleanup))
        if on
    ]
    if len(modes) > 1:
        raise UsageError(f"choose one of {', '.join(modes)}")
    # restore/views.py (list, verify, import, cleanup) is imported by those alone: a
    # backup's start-up is most of a small database's backup (restore/take_backup.py)
    if binlogs or follow:
        from mrpplan.restore.binlog_views import archive

        if not env:
            raise UsageError("which environment? usage: mrpplan backup ENV --binlogs [--follow]")
        archive(app.screen, app.environment(env), follow=follow, auto=auto)
    elif do_list:
        from mrpplan.restore import views

        if views.list_view(app.project, app.screen, app.environment, env, as_json):
            from mrpplan.restore.binlog_views import print_windows

            names = [env] if env else app.project.environment_names()
            print_windows(app.screen, names, app.environment)
    elif verify_file is not None:
        from mrpplan.restore import views

        views.verify(app.project, app.screen, app.environment, verify_file, deep)
    elif cleanup:
        from mrpplan.restore import views

        views.cleanup(app.project, app.screen, app.environment, env, retention_days, dry_run)
        if env:
            write = writing("backup --cleanup", force, out, dry_run)
            views.purge_trash(app.project, app.screen, app.environment(env), retention_days, write)
    else:
        if not env:
            raise UsageError(
                "which environment? usage: mrpplan backup ENV [--full|--schema-only|--data-only]"
            )
        from mrpplan.restore.take_backup import BackupOrder, back_up

        found = app.environment(env, fleet=True)
        order = BackupOrder(kind, _split(tables), compress, label, auto)
        if not found.is_fleet:  # one database: the fleet machinery is not imported
            back_up(app.screen, found, order)
            return
        from mrpplan.fleet.reports import backup

        sys.exit(backup(app.screen, found, order))


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t.strip() for v in values for t in v.split(",") if t.strip())


COMMANDS: list[click.Command] = [backup_command]
