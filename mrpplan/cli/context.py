"""What every command gets: the project, output console, verbosity."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # imported where used: `mrpplan --help` loads neither rich nor the config
    from rich.console import Console

    from mrpplan.config import Environment, Project


@dataclass
class AppContext:
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

    def environment(self, name: str) -> Environment:
        from mrpplan.config.loader import load_environment

        return load_environment(self.project, name)

    @property
    def console(self) -> Console:
        return make_console(self.no_color)

    @property
    def err_console(self) -> Console:
        return make_console(self.no_color, stderr=True)


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
