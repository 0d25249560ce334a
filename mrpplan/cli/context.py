"""What every command gets: the project, output console, verbosity."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mrpplan.errors import ConfigError

if TYPE_CHECKING:  # imported where used: `mrpplan --help` loads neither rich nor the config
    from rich.console import Console

    from mrpplan.config import Environment, Project
    from mrpplan.plan.screen import Screen


@dataclass
class AppContext:
    """What every command gets from the command line: the project folder and how to talk."""

    project_dir: Path | None
    verbose: bool
    no_color: bool
    _project: Project | None = field(default=None, repr=False)

    @property
    def project(self) -> Project:
        from mrpplan.config.project import Project

        if self._project is None:
            from mrpplan.sqlfiles.split import cache_statements_in

            self._project = (
                Project(self.project_dir.resolve()) if self.project_dir else Project.find()
            )
            cache_statements_in(self._project.cache_dir / "statements")
        return self._project

    def environment(self, name: str, *, fleet: bool = False) -> Environment:
        """The named environment; a fleet (many databases) only where the command says it
        handles one (`fleet=True`), else a usage error rather than a confusing failure."""
        from mrpplan.config.loader import load_environment
        from mrpplan.errors import UsageError

        # a name that is not one of the environments is a typo (exit 64); with no
        # environments at all the project is broken, and load_environment says so (exit 1)
        known = self.project.environment_names()
        if known and not self.project.environment_file(name).is_file():
            close = difflib.get_close_matches(name, known, n=1)
            raise UsageError(
                f"unknown environment {name!r} (known: {', '.join(known)})",
                hint=f"did you mean `{close[0]}`?" if close else None,
            )
        env = load_environment(self.project, name)
        if env.is_fleet and not fleet:
            command = click.get_current_context().command_path.split(" ", 1)[-1]
            raise UsageError(
                f"{name} is a fleet (many databases): `{command}` works on one database. "
                "On a fleet use plan, show, apply, drift, status, migrate status, backup ENV "
                "and recover.",
                hint="name a single database in another environment file for this command",
            )
        return env

    @functools.cached_property
    def console(self) -> Console:
        return make_console(self.no_color)

    @functools.cached_property
    def err_console(self) -> Console:
        """One per command: building a rich Console costs most of a millisecond, and an
        apply writes two progress lines per step."""
        return make_console(self.no_color, stderr=True)

    @property
    def screen(self) -> Screen:
        """The consoles for a library flow that reports as it goes."""
        from mrpplan.plan.screen import Screen

        return Screen(lambda: self.console, lambda: self.err_console, self.verbose)


def make_console(no_color: bool, stderr: bool = False) -> Console:
    """--no-color / NO_COLOR means plain text: no colour and no bold either (pipes, logs)."""
    from rich.console import Console

    return Console(
        stderr=stderr,
        no_color=no_color,
        color_system=None if no_color else "auto",
        highlight=False,
        soft_wrap=True,
    )


pass_app = click.make_pass_decorator(AppContext)


def env_and_json(command: Callable[..., None]) -> Callable[..., None]:
    """ENV and --json: the arguments of a command that reports on one environment."""
    command = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")(
        command
    )
    return click.argument("env_name", metavar="ENV")(command)


def schema_version_value(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """A version flag must name 'latest', 'base' or a migration file: else usage error (64)."""
    from mrpplan.desired.directory import resolve_version, scan_migrations

    if value is None:
        return value
    app = ctx.find_object(AppContext)
    migrations = scan_migrations(app.project.migrations_dir)[0] if app else []
    text = value.strip().lower()
    if text.isdigit() and not migrations:
        return value  # nothing to check against (or the folder is broken: reported later)
    try:
        resolve_version(migrations, value)
    except ConfigError as exc:
        raise click.BadParameter(exc.message.removeprefix("schema version ")) from None
    return value
