"""CLI: check (the ERP invariants of `database/invariants/` on ENV's live rows)."""

from __future__ import annotations

import json

import click

from mrpplan.cli.context import AppContext, pass_app
from mrpplan.errors import EXIT_ERROR
from mrpplan.invariants.files import Invariant


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
    from mrpplan.apply.invariant_guard import measure, violation_text
    from mrpplan.invariants.files import load_invariants
    from mrpplan.mysql.connection import session
    from mrpplan.mysql.invariants import Violations

    env = app.environment(env_name)
    invariants = load_invariants(app.project)
    with session(env.connection, read_only=True) as conn:
        measured = [(inv, measure(conn, inv)) for inv in invariants]
    for inv, found in measured:
        if found is None:
            click.echo(
                f"skipped invariant {inv.name}: a table or column it names is not in "
                f"{env.connection.database}",
                err=True,
            )
    results: list[tuple[Invariant, Violations]] = [(i, f) for i, f in measured if f is not None]
    broken = [(inv, found) for inv, found in results if found.rows]
    if as_json:
        document = [
            {
                "invariant": inv.name,
                "rule": inv.rule,
                "file": str(inv.file),
                "holds": not found.rows,
                "rows": found.rows,
                "columns": list(found.columns),
                "samples": [list(r) for r in found.samples],
            }
            for inv, found in results
        ]
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        for inv, found in results:
            if found.rows:
                click.echo(f"BROKEN  {violation_text(inv, found)}")
            else:
                click.echo(f"ok      invariant {inv.name} ({inv.rule})")
        held = len(results) - len(broken)
        click.echo(
            f"{env.connection.database}: {held} of {len(results)} invariant(s) hold"
            + (f", {len(broken)} broken." if broken else ".")
        )
    if broken:
        ctx.exit(EXIT_ERROR)


COMMANDS: list[click.Command] = [check_command]
