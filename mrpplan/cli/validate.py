"""CLI: validate (offline checks of environment files, SQL and migrations)."""

from __future__ import annotations

import json

import click

from mrpplan.cli.context import AppContext, pass_app
from mrpplan.errors import EXIT_ERROR, ConfigError
from mrpplan.validate import validate_project


@click.command("validate")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as a JSON list.")
@click.option(
    "--env",
    "env_name",
    metavar="ENV",
    help="Also check, on ENV's server, that no applied migration was edited afterwards.",
)
@click.pass_context
@pass_app
def validate(app: AppContext, ctx: click.Context, as_json: bool, env_name: str | None) -> None:
    """Check environment files, SQL files and migrations (the SQL is also loaded into a
    scratch database on ENV's server or a running sandbox, when one is reachable).

    Exit 0 when everything is valid, 1 when there are problems (one line each,
    as file:line: message).

    \b
    Example:
      mrpplan validate
      mrpplan validate --json
    """
    project = app.project
    if env_name is not None and env_name not in project.environment_names():
        known = ", ".join(project.environment_names()) or "none"
        raise ConfigError(f"unknown environment {env_name!r} (known: {known})")
    server = app.environment(env_name).connection if env_name is not None else None
    report = validate_project(project, server)
    if env_name is not None:  # online: migrations edited after they were applied to ENV
        from mrpplan.migrate.operations import edited_migrations

        report.online = edited_migrations(project, app.environment(env_name))
    if as_json:
        data = [
            {"file": str(p.file), "line": p.line, "message": p.message} for p in report.problems
        ]
        click.echo(json.dumps(data, indent=2))
    else:
        for problem in report.problems:
            click.echo(str(problem))
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=as_json)
    for line in report.online:
        click.echo(f"error: {line}", err=as_json)
    click.echo(report.summary(), err=as_json)
    if not report.ok:
        ctx.exit(EXIT_ERROR)


COMMANDS: list[click.Command] = [validate]
