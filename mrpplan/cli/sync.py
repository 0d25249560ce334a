"""CLI: sync list-envs | status | pull | clone | compare (library: mrpplan/sync/)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from mrpplan.cli.context import AppContext, pass_app
from mrpplan.cli.writing import out_option, skip_option, writing
from mrpplan.errors import EXIT_CHANGES
from mrpplan.sync import views
from mrpplan.sync.copy import CopyOptions
from mrpplan.sync.select import schema_only_choice


@click.group("sync")
def sync_group() -> None:
    """Copy and compare databases between environments.

    \b
    Examples:
      mrpplan sync list-envs
      mrpplan sync pull staging --to local --dry-run
      mrpplan sync clone prod staging --exclude 'audit_*'
      mrpplan sync compare prod staging
    """


@sync_group.command("list-envs")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def list_envs(app: AppContext, as_json: bool) -> None:
    """Every environment: where it is, protected, reachable, schema version.

    \b
    Example:
      mrpplan sync list-envs --json
    """
    views.list_envs(app.project, app.screen, as_json)


@sync_group.command("status")
@click.argument("env")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def status(app: AppContext, env: str, as_json: bool) -> None:
    """Server version, size, schema version, pending migrations, drift, last backup.

    \b
    Example:
      mrpplan sync status prod
    """
    views.status(app.project, app.screen, app.environment(env), as_json)


def _copy_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options: list[Callable[[Any], Any]] = [
        click.option(
            "--schema-only",
            is_flag=True,
            default=None,
            help="Structure only, no rows (default: the destination's sync.schema_only).",
        ),
        click.option(
            "--with-data", "--data-only", "data_only", is_flag=True, help="Structure and rows."
        ),
        click.option(
            "--include",
            multiple=True,
            metavar="GLOB",
            help="Only these tables, added to sync.include (repeatable).",
        ),
        click.option(
            "--exclude",
            multiple=True,
            metavar="GLOB",
            help="Not these tables either, added to sync.exclude (repeatable).",
        ),
        click.option(
            "--dry-run",
            is_flag=True,
            help="List tables with estimated rows and bytes, and the plan; change nothing.",
        ),
        out_option(),
        click.option(
            "--backup",
            "backup_first",
            is_flag=True,
            help="Also save a rollback point of the destination database first.",
        ),
        skip_option("--auto-approve", "--force", dest="auto_approve"),
        click.option("--json", "as_json", is_flag=True, help="Machine-readable --dry-run."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _globs(values: tuple[str, ...]) -> tuple[str, ...]:
    """`--include a --include b,c` -> (a, b, c)."""
    return tuple(p.strip() for v in values for p in v.split(",") if p.strip())


def _copy(
    app: AppContext,
    command: str,
    source_name: str,
    target_name: str,
    *,
    schema_only: bool | None,
    data_only: bool,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    dry_run: bool,
    out: Path | None,
    auto_approve: bool,
    as_json: bool,
    backup_first: bool = False,
) -> None:
    """Plan the copy and run it the way every writing command runs (cli/writing.py)."""
    source = app.environment(source_name)
    target = app.environment(target_name)
    options = CopyOptions(
        schema_only_choice(schema_only, data_only), _globs(include), _globs(exclude)
    )
    views.copy_between(
        app.project,
        app.screen,
        source,
        target,
        options,
        writing(command, auto_approve, out, dry_run),
        backup_first=backup_first,
        as_json=as_json,
    )


@sync_group.command("pull")
@click.argument("env", required=False)
@click.option("--to", "to", default="local", show_default=True, help="Destination environment.")
@_copy_options
@pass_app
def pull(app: AppContext, env: str | None, to: str, **kwargs: Any) -> None:
    """Copy ENV into a local environment (ENV defaults to the destination's sync.source).

    \b
    Example:
      mrpplan sync pull prod --exclude audit_log --dry-run
    """
    if env is None:
        target = app.environment(to)
        if target.sync is None:
            raise click.UsageError(f"give the environment to pull from: {to} has no sync.source")
        env = target.sync.source
    _copy(app, "sync pull", env, to, **kwargs)


@sync_group.command("clone")
@click.argument("source")
@click.argument("destination")
@_copy_options
@pass_app
def clone(app: AppContext, source: str, destination: str, **kwargs: Any) -> None:
    """Copy SOURCE's database into DESTINATION's (read consistently, no locks on SOURCE).

    \b
    Example:
      mrpplan sync clone prod staging --schema-only
    """
    _copy(app, "sync clone", source, destination, **kwargs)


@sync_group.command("compare")
@click.argument("a")
@click.argument("b")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
@click.pass_context
def compare(ctx: click.Context, app: AppContext, a: str, b: str, as_json: bool) -> None:
    """Schema differences between two live environments; exit 2 when they differ.

    Prints the changes that would make B like A.

    \b
    Example:
      mrpplan sync compare staging prod
    """
    if not views.compare(app.screen, app.environment(a), app.environment(b), as_json):
        ctx.exit(EXIT_CHANGES)


COMMANDS: list[click.Command] = [sync_group]
