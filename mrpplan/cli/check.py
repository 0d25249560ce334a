"""CLI: check (the ERP invariants of `database/invariants/` on ENV's live rows)."""

from __future__ import annotations

import click

from mrpplan.cli.context import AppContext, pass_app
from mrpplan.errors import EXIT_ERROR


@click.command("check")
@click.argument("env_name", metavar="ENV")
@click.option("--json", "as_json", is_flag=True, help="Print each invariant's result as JSON.")
@click.pass_context
@pass_app
def check_command(app: AppContext, ctx: click.Context, env_name: str, as_json: bool) -> None:
    """Run the ERP invariants (database/invariants/*.sql) on ENV. Exit 0: all hold, 1: not.

    Each file holds one SELECT returning the rows that break a business rule, under a
    header line `-- invariant: <the rule>`. Read-only: every SELECT runs in a READ ONLY
    transaction.

    \b
    Example:
      mrpplan check prod
      mrpplan check prod --json
    """
    from mrpplan.apply.invariant_check import check_invariants

    if not check_invariants(app.project, app.screen, app.environment(env_name), as_json):
        ctx.exit(EXIT_ERROR)


COMMANDS: list[click.Command] = [check_command]
