"""CLI: seed list|run|reference|test|refresh|create|status."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from mrpplan.cli.context import AppContext, pass_app
from mrpplan.cli.writing import writing_options
from mrpplan.config import Environment
from mrpplan.errors import UsageError
from mrpplan.mysql.seed_history import SeedRecord
from mrpplan.seed import operations
from mrpplan.seed.sets import SEED_SETS, list_seeds
from mrpplan.units import count


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


@seed.command("reference")
@click.argument("env_name", metavar="ENV")
@writing_options("--auto-approve", dest="auto_approve")
@pass_app
def reference(
    app: AppContext, env_name: str, dry_run: bool, out: Path | None, auto_approve: bool
) -> None:
    """Run the reference set.

    \b
    Example:
      mrpplan seed reference staging
    """
    env = app.environment(env_name)
    run_seed_plan(app, env, "seed reference", ("reference",), False, dry_run, out, auto_approve)


@seed.command("test")
@click.argument("env_name", metavar="ENV")
@writing_options("--auto-approve", dest="auto_approve")
@pass_app
def test(
    app: AppContext, env_name: str, dry_run: bool, out: Path | None, auto_approve: bool
) -> None:
    """Run the test set.

    \b
    Example:
      mrpplan seed test local
    """
    env = app.environment(env_name)
    run_seed_plan(app, env, "seed test", ("test",), False, dry_run, out, auto_approve)


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
    """Seeds are plan steps like any other: each seed one transaction with its history row
    (`refresh`: after a checkpoint and a step emptying the tables they write)."""
    from mrpplan.apply.approval import Request
    from mrpplan.cli.wiring import wiring
    from mrpplan.cli.writing import carry_out
    from mrpplan.plan.planner import make_plan
    from mrpplan.plan.providers import Scope

    if names is None and not env.seeds:
        raise UsageError(f"{env.name} lists no seeds (seeds: in {env.file.name}); name one")
    scope = Scope(schema=False, data=("seeds",), seeds=names, force_seeds=force, refresh=refresh)
    result = carry_out(
        app,
        env,
        lambda: make_plan(app.project, env, wiring=wiring(), scope=scope),
        Request(command, skip_questions=skip_questions),
        out=out,
        dry_run=dry_run,
    )
    if result is not None:
        for path in result.checkpoints:
            app.console.print(f"Checkpoint: {path}")
        ran = set(result.steps_run)
        for step in result.plan.steps:
            if step.action == "seed" and step.id in ran:
                app.console.print(f"{step.object}: applied")
        app.console.print(
            f"Apply complete: {count(len(result.steps_run), 'step')} of {command} ran on "
            f"{env.name}."
        )


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


COMMANDS: list[click.Command] = [seed]
