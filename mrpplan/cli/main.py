"""The `mrpplan` command: global options, command registration, and the one place
where errors become messages and exit codes.

Commands are registered by name in COMMANDS and their module is imported on first use
(`_commands_of`: one explicit import a module), so `mrpplan --help` loads click only and
each command loads only what it needs.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import threading
import traceback
from pathlib import Path
from typing import NoReturn

import click
import click.utils

from mrpplan import __version__
from mrpplan.cli.context import AppContext, make_console
from mrpplan.errors import EXIT_ERROR, EXIT_USAGE, MrpplanError

# name -> (module whose COMMANDS list holds it, the short help shown by `mrpplan --help`).
# The short help must equal the command's own (tests/gitops/test_cli_help.py checks it).
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": (
        "mrpplan.cli.validate",
        "Check environment files, SQL files, migrations and seeds.",
    ),
    "plan": (
        "mrpplan.cli.plan",
        "Compare ENV's live database with what it should be and write a reviewable plan.",
    ),
    "show": ("mrpplan.cli.plan", "Show a saved plan (refuses a plan file that was edited)."),
    "apply": ("mrpplan.cli.plan", "Apply a saved plan file, or plan ENV, show it, ask, and apply."),
    "drift": (
        "mrpplan.cli.plan",
        "Does ENV's live schema match what its history says? Exit 0: yes, 2: drift.",
    ),
    "recover": ("mrpplan.cli.plan", "Roll back (default) or finish an apply whose process died."),
    "migrate": (
        "mrpplan.cli.migrate",
        "Versioned migrations: status, up, down, create, fresh, baseline.",
    ),
    "seed": ("mrpplan.cli.seed", "Seed data: list, run, reference, test, refresh, create, status."),
    "backup": (
        "mrpplan.cli.backup",
        "Back up an environment's database, or list, verify and clean up backups.",
    ),
    "restore": (
        "mrpplan.cli.restore",
        "Restore a backup into an environment's database, as a plan.",
    ),
    "lint": (
        "mrpplan.cli.lint",
        "Lint the schema and migrations (and ENV's live database).",
    ),
    "check": (
        "mrpplan.cli.check",
        "Run the ERP invariants (database/invariants/*.sql) on ENV.",
    ),
    "status": (
        "mrpplan.cli.status",
        "Health of each environment, for people and cron.",
    ),
    "sync": ("mrpplan.cli.sync", "Copy and compare databases between environments."),
    "sandbox": (
        "mrpplan.cli.sandbox",
        "A throwaway local MariaDB server for development and tests.",
    ),
}


def _commands_of(module: str) -> list[click.Command]:
    """The COMMANDS list of one command module, imported on first use (explicit imports)."""
    match module:
        case "mrpplan.cli.validate":
            from mrpplan.cli.validate import COMMANDS as commands
        case "mrpplan.cli.plan":
            from mrpplan.cli.plan import COMMANDS as commands
        case "mrpplan.cli.migrate":
            from mrpplan.cli.migrate import COMMANDS as commands
        case "mrpplan.cli.seed":
            from mrpplan.cli.seed import COMMANDS as commands
        case "mrpplan.cli.backup":
            from mrpplan.cli.backup import COMMANDS as commands
        case "mrpplan.cli.restore":
            from mrpplan.cli.restore import COMMANDS as commands
        case "mrpplan.cli.lint":
            from mrpplan.cli.lint import COMMANDS as commands
        case "mrpplan.cli.check":
            from mrpplan.cli.check import COMMANDS as commands
        case "mrpplan.cli.status":
            from mrpplan.cli.status import COMMANDS as commands
        case "mrpplan.cli.sync":
            from mrpplan.cli.sync import COMMANDS as commands
        case "mrpplan.cli.sandbox":
            from mrpplan.cli.sandbox import COMMANDS as commands
        case _:
            raise LookupError(f"no command module {module!r}")
    return commands


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is run (or its help
    is asked for); the top-level help is written from COMMANDS without importing any."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = COMMANDS[cmd_name][0]
        for command in _commands_of(module):
            if command.name == cmd_name:
                return command
        raise LookupError(f"{module}.COMMANDS has no command {cmd_name!r}")

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, _shorten(COMMANDS[name][1], limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _shorten(text: str, limit: int) -> str:
    """What click's own short help does with a long first sentence."""
    return click.utils.make_default_short_help(text, limit)  # type: ignore[operator]


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
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


GLOBAL_FLAGS = ("--verbose", "--no-color")


def hoist_global_flags(args: list[str]) -> list[str]:
    """`mrpplan migrate up dev --verbose` means `mrpplan --verbose migrate up dev`: people
    type --verbose last (the old scripts took it anywhere)."""
    if "--" in args:
        return list(args)
    flags = [a for a in GLOBAL_FLAGS if a in args]
    return [*flags, *(a for a in args if a not in GLOBAL_FLAGS)]


def entry() -> NoReturn:
    """The console script and `python -m mrpplan`: `main`, then out without the
    interpreter's teardown.

    Tearing down ~350 modules one object at a time took longer than the plan it followed
    (40-70 ms of a no-change plan; a small backup's 60 ms after its last line). Leaving
    with os._exit skips only that: output is flushed and the exit handlers (temporary
    files, logging) run first, and when another thread is still running the ordinary
    exit waits for it, as it does under a profiler or a coverage tracer (they write their
    results at exit). Every file mrpplan writes is closed before its command returns.
    `main` itself returns normally (the tests run it in-process).

    The cyclic collector's youngest generation is collected every 10,000 new objects
    instead of 700: start-up (module objects, a schema read from the cache) made it pass
    75 times over the young objects in a no-change plan (20 now; 10-30 ms of CPU, min of
    interleaved runs). Cycles are still collected; what waits is bounded by that count."""
    gc.set_threshold(10_000, 10, 10)
    try:
        main()
        code: object = 0
    except SystemExit as done:
        code = done.code
    watched = sys.getprofile() is not None or sys.gettrace() is not None  # cProfile, coverage
    if not isinstance(code, int) or threading.active_count() > 1 or watched:
        raise SystemExit(code)
    try:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: Python's own exit reports it as usual
        raise SystemExit(code) from None
    os._exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: maps expected errors to exit codes, never shows a traceback unless --verbose."""
    args = hoist_global_flags(sys.argv[1:] if argv is None else argv)
    verbose = "--verbose" in args or "-v" in args
    no_color = "--no-color" in args or bool(os.environ.get("NO_COLOR"))
    try:
        code = cli.main(args=args, prog_name="mrpplan", standalone_mode=False)
    except click.exceptions.Abort:
        make_console(no_color, stderr=True).print("Aborted. Nothing was changed.")
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
        from rich.text import Text

        make_console(no_color, stderr=True).print(
            Text.assemble(("Error: ", "bold red"), exc.render())
        )
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        make_console(no_color, stderr=True).print("Interrupted.")
        sys.exit(130)
    except Exception as exc:  # an unexpected failure is still one readable message
        if verbose:
            traceback.print_exc()
        make_console(no_color, stderr=True).print(
            f"Error: internal error: {type(exc).__name__}: {exc} (run with --verbose for details)"
        )
        sys.exit(EXIT_ERROR)
    sys.exit(code if isinstance(code, int) else 0)
