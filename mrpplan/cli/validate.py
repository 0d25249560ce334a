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
    report = validate_project(project, app.environment(env_name) if env_name else None)
    if env_name is not None:  # online: migrations edited after they were applied to ENV
        from mrpplan.desired.applied import edited_migrations

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
    seed_problems: list[str] = []
    if report.ok and (env_name is not None or check_seeds):
        seed_problems = _seed_problems(app, env_name)
        for line in seed_problems:
            click.echo(f"error: {line}", err=as_json)
    if report.ok and env_name is not None:  # lint (issue 25) needs a server: ENV's
        from mrpplan.lint.project import show_findings

        show_findings(
            project, app.environment(env_name), lambda line: click.echo(line, err=as_json)
        )
    click.echo(report.summary(), err=as_json)
    if report.ok and (env_name is not None or check_seeds) and not seed_problems:
        click.echo("OK: every seed is idempotent (ran twice in a scratch database)", err=as_json)
    if not report.ok or seed_problems:
        ctx.exit(EXIT_ERROR)


def _seed_problems(app: AppContext, env_name: str | None) -> list[str]:
    from mrpplan import sandbox
    from mrpplan.mysql.workspace_place import sandbox_workspace, workspace_for
    from mrpplan.seed.idempotency import check_idempotent

    if env_name is not None:
        workspace = workspace_for(app.project, app.environment(env_name))
    else:
        workspace = sandbox_workspace(sandbox.up(sandbox.default_dir(app.project.root)))
    return [c.message() for c in check_idempotent(app.project, workspace) if not c.idempotent]


COMMANDS: list[click.Command] = [validate]
