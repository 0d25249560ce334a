"""CLI: seed list|run|reference|test|refresh|create|status."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from mrpplan.cli.context import AppContext, pass_app
from mrpplan.cli.writing import writing, writing_options
from mrpplan.seed import operations, views
from mrpplan.seed.sets import SEED_SETS


@click.group("seed")
def seed() -> None:
    """Seed data: list, run, reference, test, refresh, create, status.

    \b
    Example:
      mrpplan seed status dev --track
    """


@seed.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def list_(app: AppContext, as_json: bool) -> None:
    """The seed files, their sets and checksums.

    \b
    Example:
      mrpplan seed list --json
    """
    views.list_view(app.project, app.screen, as_json)


def _seeding(name: str, doc: str, force_help: str | None = None, refresh: bool = False) -> None:
    """`seed run|refresh ENV [NAME]...` (with --force) and `seed reference|test ENV`: a seed
    plan, run the way every writing command runs."""

    def command(
        app: AppContext,
        env_name: str,
        dry_run: bool,
        out: Path | None,
        auto_approve: bool,
        names: tuple[str, ...] = (),
        force: bool = False,
    ) -> None:
        wanted = (tuple(names) or None) if force_help else (name,)
        write = writing(f"seed {name}", force or auto_approve, out, dry_run)
        env = app.environment(env_name)
        run = force and not refresh  # run --force: re-run seeds already recorded
        views.run_seeds(app.project, app.screen, env, write, wanted, force=run, refresh=refresh)

    options: list[Callable[[Any], Any]] = [click.argument("env_name", metavar="ENV")]
    if force_help:
        names = click.argument("names", nargs=-1)
        options += [names, click.option("--force", is_flag=True, help=force_help)]
    options += [writing_options("--auto-approve", dest="auto_approve"), pass_app]
    for option in reversed(options):
        command = option(command)
    seed.command(name, help=doc)(command)


_seeding(
    "run",
    "Run seeds (NAMEs: files or sets; default: the environment's seeds list).\n\n"
    "\b\nExample:\n  mrpplan seed run dev 01_test_data",
    "Re-run seeds whose checksum is already recorded; do not ask.",
)
_seeding("reference", "Run the reference set.\n\n\b\nExample:\n  mrpplan seed reference staging")
_seeding("test", "Run the test set.\n\n\b\nExample:\n  mrpplan seed test local")
_seeding(
    "refresh",
    "Checkpoint and empty the tables seeds write (children first), then re-run the seeds.\n\n"
    "A plan like any other: the checkpoint, the emptying step and one step per seed; a\n"
    "failure restores the checkpoint.\n\n\b\nExample:\n  mrpplan seed refresh local --force",
    "Do not ask (unprotected environments only).",
    refresh=True,
)


@seed.command("create")
@click.argument("name")
@click.option("--set", "set_name", type=click.Choice(list(SEED_SETS)), default="reference")
@pass_app
def create(app: AppContext, name: str, set_name: str) -> None:
    """Write a new seed file in the given set.

    \b
    Example:
      mrpplan seed create 04_sample_forecasts --set sample
    """
    path = operations.create_seed(app.project.seeds_dir, name, set_name)
    app.console.print(f"Created {path.relative_to(app.project.root)}")


@seed.command("status")
@click.argument("env_name", metavar="ENV")
@click.option(
    "--track", is_flag=True, help="Every run (who, when, checksum, rows, ms); rows with no file."
)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def status(app: AppContext, env_name: str, track: bool, as_json: bool) -> None:
    """Each seed's state in ENV: pending, applied or changed, with its history.

    \b
    Example:
      mrpplan seed status dev --track
    """
    views.status_view(app.project, app.screen, app.environment(env_name), track, as_json)


COMMANDS: list[click.Command] = [seed]
