"""How every command that writes a database runs (DESIGN §3.6): one path for all of them.

build the plan -> show it -> --out: save it | --dry-run: stop | the one sequence before an
apply and the one executor (`apply/gate.py`, which takes the lock before building).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Literal

import click

from mrpplan.apply.approval import Request
from mrpplan.apply.executor import ApplyResult
from mrpplan.apply.gate import plan_and_apply
from mrpplan.cli.context import AppContext
from mrpplan.config import Environment
from mrpplan.plan.planfile import with_digest, write_plan
from mrpplan.plan.render import print_plan
from mrpplan.plan.types import Plan

Build = Callable[[], Plan]
BackupKind = Literal["full", "rollback"]


def carry_out(
    app: AppContext,
    env: Environment,
    build: Build,
    request: Request,
    *,
    out: Path | None = None,
    dry_run: bool = False,
    show_sql: bool = False,
    sql_on_dry_run: bool = True,
    backup_first: BackupKind | None = None,
) -> ApplyResult | None:
    """Plan, show, and (unless --out / --dry-run) approve and apply; None when nothing ran.

    `backup_first` (`--backup`, `--backup-first`): a whole-database backup of that kind,
    taken after approval and under the lock, so it is exactly the state the plan starts from.
    `sql_on_dry_run` False: a dry run shows the steps only (the SQL with --verbose or --out).
    """
    if out is not None or dry_run:
        plan = with_digest(build())
        _show(app, plan, show_sql=show_sql or (dry_run and sql_on_dry_run))
        if out is not None:
            path = write_plan(plan, out)
            app.console.print(f"\nSaved the plan to {path}. Nothing was changed.")
            if plan.has_changes:
                app.console.print(f"To apply it: mrpplan apply {path}")
        else:
            app.console.print("Dry run: nothing was changed.")
        return None
    result = plan_and_apply(
        app.project,
        env,
        build,
        request,
        ask=ask,
        show=lambda plan: _show(app, plan, show_sql=show_sql),
        before=backup_first and partial(_back_up, app, env, backup_first, request.command),
        progress=progress_line(app),
    )
    if result is None:
        app.console.print(f"Nothing to do: {env.name} is already as asked.")
    return result


def _back_up(app: AppContext, env: Environment, kind: BackupKind, command: str) -> None:
    from mrpplan.backup.dump import create_backup
    from mrpplan.plan.planner import database_exists

    if not database_exists(env):
        app.console.print(f"No backup first: {env.connection.database} does not exist yet.")
        return
    result = create_backup(env, kind, label=f"before {command}")
    app.console.print(f"Backed up {env.connection.database} to {result.path}")


def _show(app: AppContext, plan: Plan, *, show_sql: bool) -> None:
    print_plan(app.console, plan, show_sql=show_sql or app.verbose)
    for warning in plan.warnings:
        app.err_console.print(f"[yellow]Warning:[/] {warning}")


def writing_options(
    *skip_flags: str, dest: str = "force"
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """--dry-run, --out FILE, and the flags that skip questions (`skip_flags`, stored in
    `dest`): the same options on every writing command."""

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        for option in reversed(
            [
                click.option("--dry-run", is_flag=True, help="Show the plan, change nothing."),
                click.option(
                    "--out",
                    type=click.Path(dir_okay=False, path_type=Path),
                    help="Save the plan to FILE (apply it later with `mrpplan apply FILE`).",
                ),
                click.option(
                    *skip_flags,
                    dest,
                    is_flag=True,
                    help="Do not ask (unprotected environments only).",
                ),
            ]
        ):
            command = option(command)
        return command

    return decorate


def ask(prompt: str) -> str:
    """The question every writing command asks, when it asks one."""
    return str(click.prompt(prompt, default="", show_default=False))


def progress_line(app: AppContext) -> Callable[[str], None]:
    return lambda line: app.err_console.out(line, style="dim", highlight=False)
