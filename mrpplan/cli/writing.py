"""What every command that writes a database shares on the command line: --dry-run,
--out FILE and the flags that skip questions, and the question itself. How the write runs
is `apply/gate.py` `carry_out`: one path for all of them (DESIGN §3.6)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from mrpplan.apply.approval import Request
from mrpplan.apply.gate import Writing


def writing(
    command: str, skip_questions: bool, out: Path | None = None, dry_run: bool = False
) -> Writing:
    """The write as the operator asked for it on this command line (`apply/gate.py`)."""
    return Writing(Request(command, skip_questions=skip_questions), ask, out, dry_run)


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
