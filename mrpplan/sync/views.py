"""What the sync commands show: environments, one environment's status, a copy before and
after it runs, and two schemas compared."""

from __future__ import annotations

import contextlib
import json
import sys
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from mrpplan.apply.gate import Writing, back_up_first, carry_out
from mrpplan.config import Environment, Project
from mrpplan.plan.screen import Screen
from mrpplan.plan.types import Plan
from mrpplan.sync.compare import compare_environments
from mrpplan.sync.copy import CopyOptions, CopyPlan, check_masks, copy_plan, plan_copy
from mrpplan.sync.status import check_all_valid, environment_status, list_environments
from mrpplan.units import human_size


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, default=str)


def list_envs(project: Project, screen: Screen, as_json: bool) -> None:
    """Every environment: where it is, protected, reachable, schema version."""
    rows = list_environments(project)
    if as_json:
        screen.document(to_json([r.as_dict() for r in rows]))
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
    screen.out.print(table)
    check_all_valid(rows)


def status(project: Project, screen: Screen, env: Environment, as_json: bool) -> None:
    """Server version, size, schema version, pending migrations, drift, last backup."""
    found = environment_status(project, env)
    if as_json:
        screen.document(to_json(found.as_dict()))
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
        screen.out.print(f"{key + ':':<20} {value}")
    for note in found.notes:
        screen.out.print(f"note: {note}")


def copy_between(
    project: Project,
    screen: Screen,
    source: Environment,
    target: Environment,
    options: CopyOptions,
    writing: Writing,
    *,
    backup_first: bool,
    as_json: bool,
) -> None:
    """`sync pull`, `sync clone`: show the copy, then plan it and run it the way every
    writing command runs (`apply/gate.py`); with --json the plan and progress go to stderr,
    stdout is the JSON report."""
    copy = plan_copy(source, target, options)
    if writing.dry_run and as_json:
        screen.document(to_json(copy.as_dict()))
        return
    with contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext():
        show_copy(screen.out, copy)

        def build() -> Plan:
            return copy_plan(target, source, options, datetime.now(UTC).replace(microsecond=0))

        kind = "rollback" if backup_first else None
        before = back_up_first(screen, target, kind, writing.request.command)
        result = carry_out(project, target, build, writing, screen, before=before)
    if result is not None:
        copied(screen, copy, as_json)


def copied(screen: Screen, copy: CopyPlan, as_json: bool) -> None:
    """After the copy ran: the masks checked on the copied rows."""
    checks = check_masks(copy)
    if as_json:
        screen.document(to_json({**copy.as_dict(), "mask_checks": [c.as_dict() for c in checks]}))
        return
    screen.out.print(
        f"Copied {copy.source.name} into {copy.target.name}: the tables were loaded and masked "
        "in a scratch database, then swapped in with one RENAME TABLE (the replaced ones are "
        "kept in a trash database until `backup --cleanup`)."
    )
    for check in checks:
        screen.out.print(
            f"masked {check.rule.key} ({check.rule.spec}): {check.remaining} of "
            f"{check.source_values:,} source values remain"
        )
    if checks:
        screen.out.print("Masking verified: no source value of a masked column remains.")


def show_copy(out: Console, plan: CopyPlan) -> None:
    """The copy about to be planned: its tables, estimates, what goes, what is masked."""
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


def compare(screen: Screen, a: Environment, b: Environment, as_json: bool) -> bool:
    """Print the changes that would make B like A; whether they have the same schema."""
    found = compare_environments(a, b)
    if as_json:
        screen.document(to_json(found.as_dict()))
    elif found.same:
        screen.out.print(f"{a.name} and {b.name} have the same schema.")
    else:
        screen.out.print(f"{len(found.differences)} change(s) would make {b.name} like {a.name}:")
        for d in found.differences:
            mark = {"add": "+", "change": "~", "destroy": "-"}.get(d.kind, "*")
            screen.out.print(f"{mark} {d.action} {d.object}: {d.reason}")
            for statement in d.sql:
                screen.out.print(f"    {statement};")
    return found.same
