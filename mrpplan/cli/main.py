"""The `mrpplan` command: global options, command registration, and the one place
where errors become messages and exit codes."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

import click
from rich.text import Text

from mrpplan import __version__
from mrpplan.cli import backup, migrate, plan, restore, sandbox, seed, status, sync, validate
from mrpplan.cli.context import AppContext, make_console
from mrpplan.errors import EXIT_ERROR, EXIT_USAGE, MrpplanError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="MRPPLAN_PROJECT",
    help="Project folder (default: nearest folder with environments/).",
)
@click.option(
    "--no-color", is_flag=True, envvar="NO_COLOR", help="Plain output (NO_COLOR is respected)."
)
@click.option("--verbose", "-v", is_flag=True, help="Show tracebacks and every statement.")
@click.version_option(__version__, prog_name="mrpplan")
@click.pass_context
def cli(ctx: click.Context, project_dir: Path | None, no_color: bool, verbose: bool) -> None:
    """Plan and apply changes to the MySQL/MariaDB databases of an MRP/ERP application.

    \b
    Example:
      mrpplan plan prod --out plans/prod.json
      mrpplan apply plans/prod.json
    """
    ctx.obj = AppContext(project_dir=project_dir, verbose=verbose, no_color=no_color)


for module in (validate, plan, status, migrate, seed, backup, restore, sync, sandbox):
    for command in module.COMMANDS:
        cli.add_command(command)


GLOBAL_FLAGS = ("--verbose", "--no-color")


def hoist_global_flags(args: list[str]) -> list[str]:
    """`mrpplan migrate up dev --verbose` means `mrpplan --verbose migrate up dev`: people
    type --verbose last (the old scripts took it anywhere)."""
    if "--" in args:
        return list(args)
    flags = [a for a in GLOBAL_FLAGS if a in args]
    return [*flags, *(a for a in args if a not in GLOBAL_FLAGS)]


def main(argv: list[str] | None = None) -> None:
    """Entry point: maps expected errors to exit codes, never shows a traceback unless --verbose."""
    args = hoist_global_flags(sys.argv[1:] if argv is None else argv)
    verbose = "--verbose" in args or "-v" in args
    no_color = "--no-color" in args or bool(os.environ.get("NO_COLOR"))
    err = make_console(no_color, stderr=True)
    try:
        code = cli.main(args=args, prog_name="mrpplan", standalone_mode=False)
    except click.exceptions.Abort:
        err.print("Aborted. Nothing was changed.")
        sys.exit(EXIT_ERROR)
    except click.UsageError as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_ERROR)
    except MrpplanError as exc:
        if verbose:
            traceback.print_exc()
        err.print(Text.assemble(("Error: ", "bold red"), exc.render()))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("Interrupted.")
        sys.exit(130)
    except Exception as exc:  # an unexpected failure is still one readable message
        if verbose:
            traceback.print_exc()
        err.print(
            f"Error: internal error: {type(exc).__name__}: {exc} (run with --verbose for details)"
        )
        sys.exit(EXIT_ERROR)
    sys.exit(code if isinstance(code, int) else 0)
