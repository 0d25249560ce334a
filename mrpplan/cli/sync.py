"""CLI: sync list-envs | status | pull | clone | compare (library: mrpplan/sync/)."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from mrpplan.apply.approval import Request
from mrpplan.cli.context import AppContext, pass_app
from mrpplan.cli.writing import carry_out
from mrpplan.errors import EXIT_CHANGES
from mrpplan.plan.types import Plan
from mrpplan.sync.compare import compare_environments
from mrpplan.sync.copy import CopyOptions, CopyPlan, check_masks, copy_plan, plan_copy
from mrpplan.sync.select import schema_only_choice
from mrpplan.sync.status import check_all_valid, environment_status, list_environments
from mrpplan.units import human_size


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


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


@sync_group.command("list-envs")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def list_envs(app: AppContext, as_json: bool) -> None:
    """Every environment: where it is, protected, reachable, schema version.

    \b
    Example:
      mrpplan sync list-envs --json
    """
    rows = list_environments(app.project)
    if as_json:
        _echo_json([r.as_dict() for r in rows])
        check_all_valid(rows)
        return
    table = Table("name", "target", "protected", "reachable", "schema version")
    for r in rows:
        reachable = (
            "yes" if r.reachable and not r.note else ("yes, " + r.note if r.reachable else "no")
        )
        table.add_row(
            r.name,
            r.target,
            "yes" if r.protected else "no",
            reachable if r.reachable else f"no ({r.note})",
            r.schema_version or "-",
        )
    app.console.print(table)
    check_all_valid(rows)


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
    found = environment_status(app.project, app.environment(env))
    if as_json:
        _echo_json(found.as_dict())
        return
    pending = found.pending_migrations
    drift = {None: f"unknown ({found.drift_note})", True: f"yes: {found.drift_note}", False: "no"}
    backup = found.last_backup
    lines = [
        ("environment", f"{found.name}{' (protected)' if found.protected else ''}"),
        ("target", found.target),
        ("server", found.server_version),
        ("database", "exists" if found.database_exists else "does not exist"),
        ("size", f"{found.tables} tables and views, {human_size(found.size_bytes)}"),
        ("schema version", f"{found.schema_version or 'unknown'} (target {found.target_version})"),
        ("pending migrations", "unknown" if pending is None else (", ".join(pending) or "none")),
        ("drift", drift[found.drift]),
        (
            "last backup",
            f"{backup['created_at']} {backup['kind']} {backup['file']}" if backup else "none",
        ),
    ]
    for key, value in lines:
        app.console.print(f"{key + ':':<20} {value}")
    for note in found.notes:
        app.console.print(f"note: {note}")


def _copy_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
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
        click.option(
            "--out",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Save the plan to FILE (apply it later with `mrpplan apply FILE`).",
        ),
        click.option(
            "--backup",
            "backup_first",
            is_flag=True,
            help="Also save a rollback point of the destination database first.",
        ),
        click.option(
            "--auto-approve",
            "--force",
            "auto_approve",
            is_flag=True,
            help="Do not ask (unprotected environments only).",
        ),
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
    schema_only = schema_only_choice(schema_only, data_only)
    options = CopyOptions(schema_only, _globs(include), _globs(exclude))
    copy = plan_copy(source, target, options)
    if dry_run and as_json:
        _echo_json(copy.as_dict())
        return
    # with --json the plan and progress go to stderr: stdout is the JSON report
    with contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext():
        _show_plan(app, copy)

        def build() -> Plan:
            return copy_plan(target, source, options, datetime.now(UTC).replace(microsecond=0))

        result = carry_out(
            app,
            target,
            build,
            Request(command, skip_questions=auto_approve),
            out=out,
            dry_run=dry_run,
            backup_first="rollback" if backup_first else None,
        )
    if result is None:
        return
    checks = check_masks(copy)
    if as_json:
        _echo_json({**copy.as_dict(), "mask_checks": [c.as_dict() for c in checks]})
        return
    app.console.print(
        f"Copied {source.name} into {target.name}: the tables were loaded and masked in a "
        "scratch database, then swapped in with one RENAME TABLE (the replaced ones are "
        "kept in a trash database until `backup --cleanup`)."
    )
    for check in checks:
        app.console.print(
            f"masked {check.rule.key} ({check.rule.spec}): {check.remaining} of "
            f"{check.source_values:,} source values remain"
        )
    if checks:
        app.console.print("Masking verified: no source value of a masked column remains.")


def _show_plan(app: AppContext, plan: CopyPlan) -> None:
    out = app.console
    what = "structure only" if plan.schema_only else "structure and data"
    out.print(
        f"Copy {plan.source.name} -> {plan.target.name} ({what}; {plan.selection.describe()})"
    )
    table = Table("table", "kind", "est. rows", "est. size")
    for t in plan.tables:
        rows = "-" if plan.schema_only or t.kind == "view" else f"{t.rows:,}"
        table.add_row(t.name, t.kind, rows, "-" if t.kind == "view" else human_size(t.bytes))
    out.print(table)
    out.print(
        f"{len(plan.tables)} tables and views, about {plan.estimated_rows:,} rows, "
        f"{human_size(plan.estimated_bytes)}"
    )
    if not plan.target_exists:
        database = plan.target.connection.database
        out.print(f"{plan.target.name}'s database {database} does not exist yet: it is created")
    if plan.drop:
        out.print(
            f"drop from {plan.target.name} (not in {plan.source.name}): {', '.join(plan.drop)}"
        )
    if plan.drop_routines:
        gone = ", ".join(f"{kind.lower()} {name}" for kind, name in plan.drop_routines)
        out.print(f"drop from {plan.target.name} (not in {plan.source.name}): {gone}")
    if plan.histories:
        out.print(f"history copied from {plan.source.name}: {', '.join(plan.histories)}")
    if plan.masks:
        out.print("mask: " + ", ".join(f"{m.key} ({m.spec})" for m in plan.masks))


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
    found = compare_environments(app.environment(a), app.environment(b))
    if as_json:
        _echo_json(found.as_dict())
    elif found.same:
        app.console.print(f"{a} and {b} have the same schema.")
    else:
        app.console.print(f"{len(found.differences)} change(s) would make {b} like {a}:")
        for d in found.differences:
            mark = {"add": "+", "change": "~", "destroy": "-"}.get(d.kind, "*")
            app.console.print(f"{mark} {d.action} {d.object}: {d.reason}")
            for statement in d.sql:
                app.console.print(f"    {statement};")
    if not found.same:
        ctx.exit(EXIT_CHANGES)


COMMANDS: list[click.Command] = [sync_group]
