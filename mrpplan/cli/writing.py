"""What every command that writes a database shares on the command line: --dry-run,
--out FILE and the flags that skip questions, and the question itself. How the write runs
is `apply/gate.py` `carry_out`: one path for all of them (DESIGN §3.6)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # imported when a command writes: `backup`, `--help` start faster
    from mrpplan.apply.gate import Writing

Command = Callable[..., None]


def writing(
    command: str, skip_questions: bool, out: Path | None = None, dry_run: bool = False
) -> Writing:
    """The write as the operator asked for it on this command line (`apply/gate.py`)."""
    from mrpplan.apply.approval import Request
    from mrpplan.apply.gate import Writing
    from mrpplan.wiring import wiring

    return Writing(Request(command, skip_questions=skip_questions), ask, wiring(), out, dry_run)


SAVE_HELP = "Save the plan to FILE (apply it later with `mrpplan apply FILE`)."
SKIP_HELP = "Do not ask (unprotected environments only)."


def out_option(help: str = SAVE_HELP) -> Callable[[Command], Command]:
    """--out FILE: save the plan instead of running it."""
    return click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help=help)


def skip_option(
    *flags: str, dest: str = "force", help: str = SKIP_HELP
) -> Callable[[Command], Command]:
    """The flags that skip questions (--force, --auto-approve), stored in `dest`."""
    return click.option(*flags, dest, is_flag=True, help=help)


def writing_options(*skip_flags: str, dest: str = "force") -> Callable[[Command], Command]:
    """--dry-run, --out FILE, and the flags that skip questions (`skip_flags`, stored in
    `dest`): the same options on every writing command."""

    def decorate(command: Command) -> Command:
        command = skip_option(*skip_flags, dest=dest)(command)
        command = out_option()(command)
        return click.option("--dry-run", is_flag=True, help="Show the plan, change nothing.")(
            command
        )

    return decorate


def ask(prompt: str) -> str:
    """The question every writing command asks, when it asks one."""
    return str(click.prompt(prompt, default="", show_default=False))
