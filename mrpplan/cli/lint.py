"""CLI: lint (schema and migration smells, each rule with an id; SARIF for code scanning)."""

from __future__ import annotations

import click

from mrpplan.cli.context import AppContext, pass_app
from mrpplan.errors import EXIT_ERROR


@click.command("lint")
@click.argument("env_name", metavar="[ENV]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--sarif", "as_sarif", is_flag=True, help="Print SARIF 2.1.0 (code scanning).")
@click.pass_context
@pass_app
def lint_command(
    app: AppContext, ctx: click.Context, env_name: str | None, as_json: bool, as_sarif: bool
) -> None:
    """Lint the schema and migrations (and ENV's live database). Exit 1 on an error.

    Levels per environment under `policy.lint` (rule: error|warning|off); a migration
    silences a rule with `-- mrpplan:allow <rule> <reason>`. Without ENV the desired
    schema is built on the sandbox and the defaults apply.

    \b
    Example:
      mrpplan lint
      mrpplan lint prod --sarif > mrpplan.sarif
    """
    if as_json and as_sarif:
        raise click.UsageError("choose one of --json and --sarif")
    from mrpplan.lint.report import lint_report

    env = app.environment(env_name) if env_name else None
    if lint_report(app.project, app.screen, env, as_json=as_json, as_sarif=as_sarif):
        ctx.exit(EXIT_ERROR)


COMMANDS: list[click.Command] = [lint_command]
