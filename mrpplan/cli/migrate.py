"""CLI: migrate status|up|down|create|fresh|baseline.

Schema changes are plans applied by the executor (lock, journal, checkpoints, rollback):
`up`/`down` pick a target version and plan to it; `--dry-run` shows the plan only.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace

import click
from rich.table import Table

from mrpplan.cli.context import AppContext, pass_app
from mrpplan.config import Environment
from mrpplan.errors import Refused
from mrpplan.migrate import operations
from mrpplan.migrate.create import create_migration
from mrpplan.migrate.status import edited_messages

_STATE_STYLE = {"applied": "green", "pending": "yellow", "edited": "bold red", "missing": "red"}


@click.group("migrate")
def migrate() -> None:
    """Versioned migrations: status, up, down, create, fresh, baseline.

    \b
    Example:
      mrpplan migrate status prod
    """


@migrate.command("status")
@click.argument("env_name", metavar="ENV")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def status(app: AppContext, env_name: str, as_json: bool) -> None:
    """Each migration's state in ENV: pending, applied, edited or missing.

    \b
    Example:
      mrpplan migrate status staging --json
    """
    env = app.environment(env_name)
    state = operations.read_migrations(app.project, env)
    problems = edited_messages(state.statuses, env.name)
    if as_json:
        document = {
            "environment": env.name,
            "database": state.database,
            "has_history": state.has_history,
            "migrations": [s.as_dict() for s in state.statuses],
            "errors": problems,
        }
        click.echo(json.dumps(document, indent=2))
    else:
        table = Table(title=f"Migrations of {env.name} ({state.database})")
        for column in ("version", "name", "state", "applied_at"):
            table.add_column(column)
        for s in state.statuses:
            table.add_row(
                s.version,
                s.name,
                f"[{_STATE_STYLE.get(s.state, '')}]{s.state}[/]",
                s.applied_at.strftime("%Y-%m-%d %H:%M:%S") if s.applied_at else "",
            )
        app.console.print(table)
        if not state.has_history:
            app.console.print(
                f"{state.database} has no mrpplan_schema_history yet: `mrpplan migrate up"
                f" {env.name}` builds an empty database; one that already has the schema is"
                f" adopted with `mrpplan migrate baseline {env.name} --version N`."
            )
        for line in problems:
            app.err_console.print(f"[bold red]Error:[/] {line}")
    if problems:
        sys.exit(1)


@migrate.command("up")
@click.argument("env_name", metavar="ENV")
@click.option("--steps", type=click.IntRange(min=1), help="Apply only the next N migrations.")
@click.option("--dry-run", is_flag=True, help="Show the plan, change nothing.")
@click.option("--backup", "backup_first", is_flag=True, help="Full backup before applying.")
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def up(
    app: AppContext,
    env_name: str,
    steps: int | None,
    dry_run: bool,
    backup_first: bool,
    auto_approve: bool,
) -> None:
    """Apply pending migrations (all, or the next N) through a plan.

    \b
    Example:
      mrpplan migrate up dev --steps 1 --dry-run
    """
    env = app.environment(env_name)
    target = operations.up_target(app.project, env, steps)
    plan_and_apply(app, env, target, dry_run, auto_approve, backup_first=backup_first)


@migrate.command("down")
@click.argument("env_name", metavar="ENV")
@click.option("--steps", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--dry-run", is_flag=True, help="Show the plan, change nothing.")
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def down(app: AppContext, env_name: str, steps: int, dry_run: bool, auto_approve: bool) -> None:
    """Roll back the newest N applied migrations through a plan.

    \b
    Example:
      mrpplan migrate down local --steps 1
    """
    env = app.environment(env_name)
    target = operations.down_target(app.project, env, steps)
    plan_and_apply(app, env, target, dry_run, auto_approve)


@migrate.command("create")
@click.argument("name")
@pass_app
def create(app: AppContext, name: str) -> None:
    """Write the next numbered migration file with up and down sections.

    \b
    Example:
      mrpplan migrate create add_lot_tracking
    """
    path = create_migration(app.project.migrations_dir, name)
    app.console.print(f"Created {path.relative_to(app.project.root)}")


@migrate.command("fresh")
@click.argument("env_name", metavar="ENV")
@click.option("--force", is_flag=True, help="Required: everything in ENV is dropped.")
@click.option("--no-backup", is_flag=True, help="Skip the full backup taken first.")
@pass_app
def fresh(app: AppContext, env_name: str, force: bool, no_backup: bool) -> None:
    """Drop everything in ENV, then build the base schema and every migration.

    \b
    Example:
      mrpplan migrate fresh local --force
    """
    env = app.environment(env_name)
    if env.protected:
        raise Refused(
            f"{env.name} is protected: migrate fresh is refused there. Nothing was changed."
        )
    if not force:
        raise Refused(
            f"migrate fresh drops everything in {env.connection.database}: pass --force."
            " Nothing was changed."
        )
    if not no_backup:
        backup_database(app, env)
    operations.wipe_database(env)
    app.console.print(f"Dropped and re-created {env.connection.database}.")
    plan_and_apply(app, env, "latest", False, True)


@migrate.command("baseline")
@click.argument("env_name", metavar="ENV")
@click.option("--version", "version", required=True, help="The version the database is at.")
@pass_app
def baseline(app: AppContext, env_name: str, version: str) -> None:
    """Adopt a database that has the schema of VERSION but no history.

    \b
    Example:
      mrpplan migrate baseline prod --version 003
    """
    env = app.environment(env_name)
    recorded = operations.baseline(app.project, env, version)
    app.console.print(
        f"Recorded {env.connection.database} at version {recorded[-1]}"
        f" ({len(recorded)} history rows): {', '.join(recorded)}."
    )


def backup_database(app: AppContext, env: Environment) -> None:
    from mrpplan.backup.dump import create_backup

    result = create_backup(env, "full", label="before migrate")
    app.console.print(f"Backed up {env.connection.database} to {result.path}")


def plan_and_apply(
    app: AppContext,
    env: Environment,
    target: str,
    dry_run: bool,
    auto_approve: bool,
    *,
    backup_first: bool = False,
) -> None:
    """Plan to `target`, show it, ask, apply (the executor rolls back on failure)."""
    from mrpplan.apply.executor import apply_plan
    from mrpplan.plan.planfile import with_digest
    from mrpplan.plan.planner import make_plan
    from mrpplan.plan.render import print_plan

    # schema only: the environment's seeds and sync are `mrpplan plan`'s business
    scoped = replace(env, seeds=(), sync=None)
    plan = with_digest(make_plan(app.project, scoped, target_version=target))
    print_plan(app.console, plan, show_sql=app.verbose or dry_run)
    for warning in plan.warnings:
        app.err_console.print(f"[yellow]Warning:[/] {warning}")
    if dry_run or not plan.steps:
        if not plan.steps:
            app.console.print("Nothing to do.")
        return
    approved = auto_approve or confirm(app, env, destructive=bool(plan.destructive_steps))
    if backup_first:
        backup_database(app, env)
    apply_plan(
        app.project,
        env,
        plan,
        approved=approved,
        progress=lambda line: app.err_console.print(line) if app.verbose else None,
    )
    app.console.print(f"Applied {len(plan.steps)} steps to {env.name}: now at {target}.")


def confirm(app: AppContext, env: Environment, *, destructive: bool) -> bool:
    """On a terminal: ask (a protected environment needs its name typed). Otherwise refuse
    a protected environment or a destructive plan; go ahead with a non-destructive one."""
    if not sys.stdin.isatty():
        if env.protected or destructive:
            why = "is protected" if env.protected else "would get destructive steps"
            raise Refused(
                f"{env.name} {why} and stdin is not a terminal: pass --auto-approve"
                " after reviewing the plan (--dry-run shows it). Nothing was changed."
            )
        return False
    if env.protected:
        typed = click.prompt(f"{env.name} is protected. Type its name to apply")
        if typed.strip() != env.name:
            raise Refused("the name did not match. Nothing was changed.")
        return True
    if not click.confirm("Apply this plan?", default=False):
        raise click.exceptions.Abort()
    return True


COMMANDS: list[click.Command] = [migrate]
