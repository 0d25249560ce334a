"""CLI: status [ENV...] [--json] (DESIGN §3.10): health of every environment, for cron."""

from __future__ import annotations

import json
import sys

import click

from mrpplan.cli.context import AppContext, pass_app
from mrpplan.status import Thresholds, check_environments, overall_exit, show_health

_STATE = {"ok": "[green]ok[/]", "attention": "[yellow]attention[/]", "error": "[red]error[/]"}


@click.command("status")
@click.argument("envs", nargs=-1, metavar="[ENV]...")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--max-backup-age",
    type=click.FloatRange(min=0),
    default=Thresholds.max_backup_age_hours,
    show_default=True,
    metavar="HOURS",
    help="An older last backup needs attention.",
)
@click.option(
    "--min-free",
    type=click.FloatRange(0, 100),
    default=Thresholds.min_free_percent,
    show_default=True,
    metavar="PERCENT",
    help="Less free space where backups go needs attention.",
)
@pass_app
def status_command(
    app: AppContext, envs: tuple[str, ...], as_json: bool, max_backup_age: float, min_free: float
) -> None:
    """Health of each environment, for people and cron.

    Schema version, pending migrations, drift, last backup, free space and size growth of
    each environment (all of them by default).

    Exit 0: all well; 2: something needs attention (pending migration, drift, edited file,
    stale or missing backup, low disk space); 1: an environment could not be checked.

    \b
    Examples:
      mrpplan status                        every environment
      mrpplan status prod --json            for monitoring
      0 7 * * * cd /srv/erp && mrpplan status --no-color || mail -s "db attention" ops
    """
    limits = Thresholds(max_backup_age_hours=max_backup_age, min_free_percent=min_free)
    rows = check_environments(app.project, list(envs), limits)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rows], indent=2, default=str))
    else:
        for row in rows:
            show_health(app.console, row, app.project.root)
    sys.exit(overall_exit(rows))


COMMANDS: list[click.Command] = [status_command]
