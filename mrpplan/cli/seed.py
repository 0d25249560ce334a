"""CLI: seed list|run|reference|test|refresh|create|status."""

from __future__ import annotations

from pathlib import Path

import click

from mrpplan.cli.context import AppContext, pass_app
from mrpplan.cli.writing import writing, writing_options
from mrpplan.config import Environment
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


@seed.command("run")
@click.argument("env_name", metavar="ENV")
@click.argument("names", nargs=-1)
@click.option(
    "--force", is_flag=True, help="Re-run seeds whose checksum is already recorded; do not ask."
)
@writing_options("--auto-approve", dest="auto_approve")
@pass_app
def run(
    app: AppContext,
    env_name: str,
    names: tuple[str, ...],
    force: bool,
    dry_run: bool,
    out: Path | None,
    auto_approve: bool,
) -> None:
    """Run seeds (NAMEs: files or sets; default: the environment's seeds list).

    \b
    Example:
      mrpplan seed run dev 01_test_data
    """
    env = app.environment(env_name)
    wanted = tuple(names) or None
    run_seed_plan(app, env, "seed run", wanted, force, dry_run, out, force or auto_approve)


def _set_command(name: str, example_env: str) -> None:
    """`seed reference ENV`, `seed test ENV`: run one set."""

    @seed.command(
        name, help=f"Run the {name} set.\n\n\b\nExample:\n  mrpplan seed {name} {example_env}"
    )
    @click.argument("env_name", metavar="ENV")
    @writing_options("--auto-approve", dest="auto_approve")
    @pass_app
    def command(
        app: AppContext, env_name: str, dry_run: bool, out: Path | None, auto_approve: bool
    ) -> None:
        env = app.environment(env_name)
        run_seed_plan(app, env, f"seed {name}", (name,), False, dry_run, out, auto_approve)


_set_command("reference", "staging")
_set_command("test", "local")


def run_seed_plan(
    app: AppContext,
    env: Environment,
    command: str,
    names: tuple[str, ...] | None,
    force: bool,
    dry_run: bool,
    out: Path | None,
    skip_questions: bool,
    *,
    refresh: bool = False,
) -> None:
    write = writing(command, skip_questions, out, dry_run)
    views.run_seeds(app.project, app.screen, env, write, names, force=force, refresh=refresh)


@seed.command("refresh")
@click.argument("env_name", metavar="ENV")
@click.argument("names", nargs=-1)
@click.option("--force", is_flag=True, help="Do not ask (unprotected environments only).")
@writing_options("--auto-approve", dest="auto_approve")
@pass_app
def refresh(
    app: AppContext,
    env_name: str,
    names: tuple[str, ...],
    force: bool,
    dry_run: bool,
    out: Path | None,
    auto_approve: bool,
) -> None:
    """Checkpoint and empty the tables seeds write (children first), then re-run the seeds.

    A plan like any other: the checkpoint, the emptying step and one step per seed; a
    failure restores the checkpoint.

    \b
    Example:
      mrpplan seed refresh local --force
    """
    env = app.environment(env_name)
    wanted = tuple(names) or None
    skip = force or auto_approve
    run_seed_plan(app, env, "seed refresh", wanted, False, dry_run, out, skip, refresh=True)


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
