"""CLI: status [ENV...] [--json] (DESIGN §3.10): health of every environment, for cron."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.table import Table

from mrpplan.backup.views import relative
from mrpplan.cli.context import AppContext, pass_app
from mrpplan.status import EnvHealth, Thresholds, check_environments, overall_exit
from mrpplan.units import human_size

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
            _show(app, row)
    sys.exit(overall_exit(rows))


def _show(app: AppContext, row: EnvHealth) -> None:
    out = app.console
    out.print(f"[bold]{row.name}[/] {row.target} {_STATE[row.state]}")
    if row.error:
        out.print(f"  error: {row.error}")
        return
    table = Table(box=None, show_header=False, padding=(0, 1))
    table.add_column(style="dim")
    table.add_column()
    pending = row.pending_migrations
    table.add_row("schema", f"{row.schema_version or 'unknown'} (target {row.target_version})")
    table.add_row("pending", "unknown" if pending is None else (", ".join(pending) or "none"))
    drift = {None: "not checked", True: "yes", False: "no"}[row.drift]
    table.add_row("drift", f"{drift}: {row.drift_note}" if row.drift_note else drift)
    backup = row.last_backup
    table.add_row(
        "last backup",
        f"{backup.kind}, {backup.age_hours:g} h ago, verified: {backup.verified}, "
        f"{human_size(backup.bytes)} ({relative(Path(backup.file), app.project.root)})"
        if backup
        else "none",
    )
    if row.free_bytes is not None and row.total_bytes:
        percent = 100 * row.free_bytes / row.total_bytes
        table.add_row(
            "backup space",
            f"{human_size(row.free_bytes)} free ({percent:.0f}%) in {row.backup_dir}",
        )
    size = f"{human_size(row.size_bytes)} in {row.tables} tables and views"
    if row.growth is not None:
        pct = row.growth.percent
        size += (
            f"; full backups since {row.growth.since}: {human_size(row.growth.sql_bytes_then)} -> "
            f"{human_size(row.growth.sql_bytes_now)} of SQL"
            + (f" ({pct:+.0f}%)" if pct is not None else "")
            + f", {row.growth.rows_then:,} -> {row.growth.rows_now:,} rows"
        )
    table.add_row("size", size)
    out.print(table)
    for line in row.attention:
        out.print(f"  [yellow]attention:[/] {line}")


COMMANDS: list[click.Command] = [status_command]
