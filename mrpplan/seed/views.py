"""What the seed commands show: the seed files, each seed's state in an environment and its
runs, and what a seed plan ran."""

from __future__ import annotations

import json

from rich.table import Table

from mrpplan.apply.executor import ApplyResult
from mrpplan.apply.gate import Writing, carry_out
from mrpplan.config import Environment, Project
from mrpplan.errors import UsageError
from mrpplan.mysql.seed_history import SeedRecord
from mrpplan.plan.screen import Screen
from mrpplan.seed import operations
from mrpplan.seed.sets import list_seeds
from mrpplan.units import count


def list_view(project: Project, screen: Screen, as_json: bool) -> None:
    """The seed files, their sets and checksums."""
    seeds = list_seeds(project.seeds_dir)
    if as_json:
        rows = [
            {"seed": s.name, "set": s.set, "file": str(s.path), "checksum": s.checksum}
            for s in seeds
        ]
        screen.document(json.dumps(rows, indent=2))
        return
    table = Table(title="Seeds")
    for column in ("seed", "set", "statements", "sha256"):
        table.add_column(column)
    for s in seeds:
        table.add_row(s.name, s.set, str(len(s.statements)), s.checksum[:12])
    screen.out.print(table)


def status_view(
    project: Project, screen: Screen, env: Environment, track: bool, as_json: bool
) -> None:
    """Each seed's state in ENV: pending, applied or changed; with `track` every run."""
    rows = operations.seed_statuses(project, env, track=track)
    runs = operations.seed_runs(env) if track else []
    if as_json:
        document: object = [r.as_dict() for r in rows]
        if track:
            document = {"seeds": document, "runs": [r.as_dict() for r in runs]}
        screen.document(json.dumps(document, indent=2))
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
    screen.out.print(table)
    if track:
        screen.out.print(runs_table(env.name, runs))


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


def run_seeds(
    project: Project,
    screen: Screen,
    env: Environment,
    writing: Writing,
    names: tuple[str, ...] | None,
    *,
    force: bool,
    refresh: bool,
) -> None:
    """Seeds are plan steps like any other: each seed one transaction with its history row
    (`refresh`: after a checkpoint and a step emptying the tables they write)."""
    from mrpplan.plan.planner import make_plan
    from mrpplan.plan.providers import Scope

    if names is None and not env.seeds:
        raise UsageError(f"{env.name} lists no seeds (seeds: in {env.file.name}); name one")
    scope = Scope(schema=False, data=("seeds",), seeds=names, force_seeds=force, refresh=refresh)
    result = carry_out(
        project,
        env,
        lambda: make_plan(project, env, wiring=writing.wiring, scope=scope),
        writing,
        screen,
    )
    if result is not None:
        applied(screen, env, writing.request.command, result)


def applied(screen: Screen, env: Environment, command: str, result: ApplyResult) -> None:
    """After a seed plan ran: its checkpoints, each seed applied, the step count."""
    for path in result.checkpoints:
        screen.out.print(f"Checkpoint: {path}")
    ran = set(result.steps_run)
    for step in result.plan.steps:
        if step.action == "seed" and step.id in ran:
            screen.out.print(f"{step.object}: applied")
    screen.out.print(
        f"Apply complete: {count(len(result.steps_run), 'step')} of {command} ran on {env.name}."
    )
