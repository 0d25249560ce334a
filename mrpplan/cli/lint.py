"""CLI: lint (schema and migration smells, each rule with an id; SARIF for code scanning)."""

from __future__ import annotations

import json

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
    findings = run_lint(app, env_name)
    if as_sarif:
        from mrpplan.lint.sarif import sarif

        click.echo(json.dumps(sarif(app.project, findings), indent=2, ensure_ascii=False))
    elif as_json:
        from mrpplan.lint.project import relative

        document = [
            {
                "rule": f.rule,
                "level": f.level,
                "message": f.message,
                "file": relative(app.project, f.file),
                "line": f.line,
            }
            for f in findings
        ]
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            click.echo(finding.text())
        errors = sum(1 for f in findings if f.level == "error")
        click.echo(f"lint: {errors} error(s), {len(findings) - errors} warning(s)")
    if any(f.level == "error" for f in findings):
        ctx.exit(EXIT_ERROR)


def run_lint(app: AppContext, env_name: str | None) -> list:  # type: ignore[type-arg]
    """The findings for ENV (its server and levels), or on the sandbox with the defaults."""
    from mrpplan.lint.project import lint_project
    from mrpplan.mysql.workspace_place import sandbox_workspace, workspace_for

    if env_name is None:
        from mrpplan import sandbox

        info = sandbox.up(sandbox.default_dir(app.project.root))
        return lint_project(app.project, sandbox_workspace(info))
    env = app.environment(env_name)
    return lint_project(app.project, workspace_for(app.project, env), env)


COMMANDS: list[click.Command] = [lint_command]
