"""CLI: seed list|run|reference|test|refresh|create|status."""

from __future__ import annotations

import json
import sys

import click
from rich.table import Table

from mrpplan.cli.context import AppContext, pass_app
from mrpplan.errors import Refused
from mrpplan.seed import operations
from mrpplan.seed.history import SeedRecord
from mrpplan.seed.runner import SeedResult
from mrpplan.seed.sets import SEED_SETS, list_seeds


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
    seeds = list_seeds(app.project.seeds_dir)
    if as_json:
        rows = [
            {"seed": s.name, "set": s.set, "file": str(s.path), "checksum": s.checksum}
            for s in seeds
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="Seeds")
    for column in ("seed", "set", "statements", "sha256"):
        table.add_column(column)
    for s in seeds:
        table.add_row(s.name, s.set, str(len(s.statements)), s.checksum[:12])
    app.console.print(table)


@seed.command("run")
@click.argument("env_name", metavar="ENV")
@click.argument("names", nargs=-1)
@click.option("--force", is_flag=True, help="Re-run seeds whose checksum is already recorded.")
@pass_app
def run(app: AppContext, env_name: str, names: tuple[str, ...], force: bool) -> None:
    """Run seeds (NAMEs: files or sets; default: the environment's seeds list).

    \b
    Example:
      mrpplan seed run dev 01_test_data
    """
    env = app.environment(env_name)
    show(app, operations.run(app.project, env, names, force=force))


@seed.command("reference")
@click.argument("env_name", metavar="ENV")
@pass_app
def reference(app: AppContext, env_name: str) -> None:
    """Run the reference set.

    \b
    Example:
      mrpplan seed reference staging
    """
    show(app, operations.run(app.project, app.environment(env_name), ["reference"]))


@seed.command("test")
@click.argument("env_name", metavar="ENV")
@pass_app
def test(app: AppContext, env_name: str) -> None:
    """Run the test set.

    \b
    Example:
      mrpplan seed test local
    """
    show(app, operations.run(app.project, app.environment(env_name), ["test"]))


@seed.command("refresh")
@click.argument("env_name", metavar="ENV")
@click.argument("names", nargs=-1)
@click.option("--force", is_flag=True, help="Do not ask (required when stdin is not a terminal).")
@pass_app
def refresh(app: AppContext, env_name: str, names: tuple[str, ...], force: bool) -> None:
    """Checkpoint, empty the tables seeds write, re-run the seeds (one transaction).

    \b
    Example:
      mrpplan seed refresh local --force
    """
    env = app.environment(env_name)
    if not force:
        if not sys.stdin.isatty():
            raise Refused(
                "seed refresh deletes the rows of the tables seeds write and re-inserts them:"
                " pass --force when stdin is not a terminal. Nothing was changed."
            )
        if not click.confirm(f"Empty and re-seed the seeded tables of {env.name}?"):
            raise click.exceptions.Abort()
    result = operations.refresh_seeds(app.project, env, names)
    if result.checkpoint:
        app.console.print(f"Checkpoint: {result.checkpoint}")
    app.console.print(f"Emptied (children first): {', '.join(result.tables) or 'nothing'}")
    for name, rows in result.rows.items():
        app.console.print(f"  {name}: {rows} rows")


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
    env = app.environment(env_name)
    rows = operations.seed_statuses(app.project, env, track=track)
    runs = operations.seed_runs(env) if track else []
    if as_json:
        document: object = [r.as_dict() for r in rows]
        if track:
            document = {"seeds": document, "runs": [r.as_dict() for r in runs]}
        click.echo(json.dumps(document, indent=2))
        return
    table = Table(title=f"Seeds of {env.name} ({env.connection.database})")
    for column in ("seed", "set", "state", "applied_at", "rows"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r.seed,
            r.set,
            r.state,
            r.applied_at.strftime("%Y-%m-%d %H:%M:%S") if r.applied_at else "",
            "" if r.rows_affected is None else str(r.rows_affected),
        )
    app.console.print(table)
    if track:
        app.console.print(runs_table(env.name, runs))


def runs_table(env_name: str, runs: list[SeedRecord]) -> Table:
    """Every run, oldest first: who, when, checksum, rows, duration."""
    table = Table(title=f"Seed runs in {env_name} (oldest first)")
    for column in ("run", "seed", "applied_at", "applied_by", "sha256", "rows", "ms"):
        table.add_column(column, justify="right" if column in ("run", "rows", "ms") else "left")
    for r in runs:
        table.add_row(
            str(r.run_id or ""),
            r.seed,
            r.applied_at.strftime("%Y-%m-%d %H:%M:%S") if r.applied_at else "",
            r.applied_by,
            r.checksum[:12],
            str(r.rows_affected),
            str(r.execution_ms),
        )
    return table


def show(app: AppContext, results: list[SeedResult]) -> None:
    for r in results:
        detail = f"{r.rows_affected} rows" if r.action != "skipped" else "unchanged"
        app.console.print(f"{r.seed}: {r.action} ({detail})")


COMMANDS: list[click.Command] = [seed]
