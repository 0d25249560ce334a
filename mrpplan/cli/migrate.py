"""CLI: migrate status|up|down|create|fresh|baseline.

Schema changes are plans applied by the executor (lock, journal, checkpoints, rollback):
`up`/`down` pick a target version and plan to it; `--dry-run` shows the plan only.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mrpplan.cli.context import AppContext, env_and_json, pass_app
from mrpplan.cli.writing import writing, writing_options
from mrpplan.config import Environment
from mrpplan.errors import UsageError
from mrpplan.migrate import operations
from mrpplan.migrate.create import create_migration
from mrpplan.migrate.views import rollback_choices, run_migrations
from mrpplan.plan.providers import Scope


@click.group("migrate")
def migrate() -> None:
    """Versioned migrations: status, up, down, create, fresh, baseline.

    \b
    Example:
      mrpplan migrate status prod
    """


@migrate.command("status")
@env_and_json
@pass_app
def status(app: AppContext, env_name: str, as_json: bool) -> None:
    """Each migration's state in ENV: pending, applied, edited or missing.

    \b
    Example:
      mrpplan migrate status staging --json
    """
    from mrpplan.fleet import reports

    env = app.environment(env_name, fleet=True)
    sys.exit(reports.migrate_status(app.project, app.screen, env, as_json))


@migrate.command("up")
@click.argument("env_name", metavar="ENV")
@click.option("--steps", type=click.IntRange(min=1), help="Apply only the next N migrations.")
@click.option("--backup", "backup_first", is_flag=True, help="Full backup before applying.")
@writing_options("--force", "--auto-approve")
@pass_app
def up(
    app: AppContext,
    env_name: str,
    steps: int | None,
    backup_first: bool,
    dry_run: bool,
    out: Path | None,
    force: bool,
) -> None:
    """Apply pending migrations (all, or the next N) through a plan.

    \b
    Example:
      mrpplan migrate up dev --steps 1 --dry-run
    """
    env = app.environment(env_name)
    target = operations.up_target(app.project, env, steps)
    run_migration_plan(
        app, env, "migrate up", target, dry_run=dry_run, out=out, force=force, backup=backup_first
    )


@migrate.command("down")
@click.argument("env_name", metavar="ENV")
@click.option("--steps", type=click.IntRange(min=1), default=None, help="Roll back N (default 1).")
@click.option(
    "--to",
    "to_version",
    is_flag=False,
    flag_value="",
    default=None,
    help="Roll back to this version (e.g. 002, or base); `--to` alone lists them to choose.",
)
@writing_options("--force", "--auto-approve")
@pass_app
def down(
    app: AppContext,
    env_name: str,
    steps: int | None,
    to_version: str | None,
    dry_run: bool,
    out: Path | None,
    force: bool,
) -> None:
    """Roll back the newest N applied migrations, or down to a version, through a plan.

    Without --steps or --to it rolls back the newest one. `--to` without a version lists
    the applied migrations (on a terminal) and asks which version to go back to.

    \b
    Example:
      mrpplan migrate down local --steps 1
      mrpplan migrate down local --to 002
      mrpplan migrate down local --to          choose the version from a list
    """
    if steps is not None and to_version is not None:
        raise UsageError("choose one of --steps and --to")
    env = app.environment(env_name)
    if to_version == "":
        if not sys.stdin.isatty():
            raise UsageError("--to needs a VERSION when stdin is not a terminal (e.g. --to 002)")
        to_version = _choose_version(app, env)
    if to_version is not None:
        target = operations.down_to_target(app.project, env, to_version)
    else:
        target = operations.down_target(app.project, env, steps or 1)
    run_migration_plan(app, env, "migrate down", target, dry_run=dry_run, out=out, force=force)


def _choose_version(app: AppContext, env: Environment) -> str:
    """The interactive rollback: each applied migration, newest first, and what going back
    below it does; the operator picks the version to stay at."""
    table, choices = rollback_choices(app.project, env)
    app.console.print(table)
    picked = click.prompt(
        "Roll back to which line (the plan is shown before anything runs)",
        type=click.IntRange(1, len(choices)),
        default=1,
    )
    return choices[picked - 1]


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
@click.option("--no-backup", is_flag=True, help="Skip the full backup taken first.")
@writing_options("--force", "--auto-approve")
@pass_app
def fresh(
    app: AppContext, env_name: str, no_backup: bool, dry_run: bool, out: Path | None, force: bool
) -> None:
    """Move everything in ENV to trash tables, then build the base schema and every migration.

    Nothing is dropped: the old tables stay as trash tables (a rollback renames them back;
    `backup --cleanup` purges them after the retention period).

    \b
    Example:
      mrpplan migrate fresh local --force
    """
    env = app.environment(env_name)
    run_migration_plan(
        app,
        env,
        "migrate fresh",
        "latest",
        dry_run=dry_run,
        out=out,
        force=force,
        backup=not no_backup,
        scope=Scope(data=(), fresh=True),
    )


@migrate.command("baseline")
@click.argument("env_name", metavar="ENV")
@click.option("--version", "version", required=True, help="The version the database is at.")
@writing_options("--force", "--auto-approve")
@pass_app
def baseline(
    app: AppContext, env_name: str, version: str, dry_run: bool, out: Path | None, force: bool
) -> None:
    """Adopt a database that has the schema of VERSION but no history (records it, runs nothing).

    \b
    Example:
      mrpplan migrate baseline prod --version 003 --out plans/baseline.json
    """
    env = app.environment(env_name)
    run_migration_plan(
        app,
        env,
        "migrate baseline",
        version,
        dry_run=dry_run,
        out=out,
        force=force,
        scope=Scope(data=(), baseline=True),
    )


def run_migration_plan(
    app: AppContext,
    env: Environment,
    command: str,
    target: str,
    *,
    dry_run: bool,
    out: Path | None,
    force: bool,
    backup: bool = False,
    scope: Scope | None = None,
) -> None:
    write = writing(command, force, out, dry_run)
    run_migrations(app.project, app.screen, env, write, target, backup=backup, scope=scope)


COMMANDS: list[click.Command] = [migrate]
