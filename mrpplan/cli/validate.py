"""CLI: validate (offline checks of environment files, SQL and migrations)."""

from __future__ import annotations

import click

from mrpplan.cli.context import AppContext, pass_app
from mrpplan.errors import EXIT_ERROR, ConfigError
from mrpplan.validate import report_validation


@click.command("validate")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as a JSON list.")
@click.option(
    "--env",
    "env_name",
    metavar="ENV",
    help="Also check, on ENV's server, that no applied migration was edited afterwards.",
)
@click.option(
    "--seeds",
    "check_seeds",
    is_flag=True,
    help="Run each seed twice in a scratch database on the sandbox (or ENV's server with"
    " --env, which always does it) and report seeds whose second run changes rows.",
)
@click.pass_context
@pass_app
def validate(
    app: AppContext, ctx: click.Context, as_json: bool, env_name: str | None, check_seeds: bool
) -> None:
    """Check environment files, SQL files, migrations and seeds.

    The SQL is also loaded into a scratch database on ENV's server or a running sandbox,
    when one is reachable.

    Exit 0 when everything is valid, 1 when there are problems (one line each,
    as file:line: message). With --env ENV (or --seeds) it also uses a server: edited
    migrations in ENV, and seed idempotency in a scratch database it drops afterwards.

    \b
    Example:
      mrpplan validate
      mrpplan validate --json
      mrpplan validate --env dev          edited migrations, seeds run twice on dev's server
      mrpplan validate --seeds            seeds run twice on the sandbox
    """
    project = app.project
    if env_name is not None and env_name not in project.environment_names():
        known = ", ".join(project.environment_names()) or "none"
        raise ConfigError(f"unknown environment {env_name!r} (known: {known})")
    env = app.environment(env_name) if env_name is not None else None
    if not report_validation(project, app.screen, env, check_seeds=check_seeds, as_json=as_json):
        ctx.exit(EXIT_ERROR)


COMMANDS: list[click.Command] = [validate]
