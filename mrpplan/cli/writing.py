"""How every command that writes a database runs (DESIGN §3.6): one path for all of them.

build the plan -> show it -> --out: save it | --dry-run: stop | the one sequence before an
apply and the one executor (`apply/gate.py`, which takes the lock before building).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import click

from mrpplan.apply import gate
from mrpplan.apply.approval import Request
from mrpplan.apply.executor import ApplyResult
from mrpplan.backup.views import back_up_first
from mrpplan.cli.context import AppContext
from mrpplan.config import Environment
from mrpplan.plan.types import Plan

Build = Callable[[], Plan]
BackupKind = Literal["full", "rollback"]


def carry_out(
    app: AppContext,
    env: Environment,
    build: Build,
    request: Request,
    *,
    backup_first: BackupKind | None = None,
    **options: Any,
) -> ApplyResult | None:
    """`apply/gate.py` `carry_out` with this command's screen and questions.

    `backup_first` (`--backup`, `--backup-first`): a whole-database backup of that kind,
    taken after approval and under the lock, so it is exactly the state the plan starts from.
    """
    before = back_up_first(app.screen, env, backup_first, request.command)
    return gate.carry_out(
        app.project, env, build, request, app.screen, ask=ask, before=before, **options
    )


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
