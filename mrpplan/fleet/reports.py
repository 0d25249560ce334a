"""The per-database commands on a fleet: drift, migrate status, backup and recover run on
every database (`fleet.parallel` at a time) and report one table, or `--json`; each returns
the command's exit code."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from mrpplan.config import Environment, Project
from mrpplan.plan.providers import Wiring

if TYPE_CHECKING:  # recover's machinery is imported by `recover` alone (start-up)
    from mrpplan.apply.recover import RecoverResult
    from mrpplan.restore.take_backup import BackupOrder

from mrpplan.errors import EXIT_CHANGES, EXIT_ERROR, UsageError
from mrpplan.fleet.each import Each, for_each
from mrpplan.plan.planfile import read_plan
from mrpplan.plan.screen import Screen


def _error_row(each: Each[Any]) -> str:
    return each.error.message.splitlines()[0] if each.error else ""


def _finish(rows: list[Each[Any]], attention: int) -> int:
    """Exit 1 when a database could not be checked, 2 when one needs attention."""
    if any(r.error for r in rows):
        return EXIT_ERROR
    return EXIT_CHANGES if attention else 0


def drift(project: Project, screen: Screen, env: Environment, as_json: bool) -> int:
    """`mrpplan drift ENV`: exit 0 no drift, 2 drift (a fleet: 1 when some could not be
    read)."""
    from mrpplan.plan.drift import detect_drift

    if env.is_fleet:
        return _drift_fleet(project, screen, env, as_json)
    report = detect_drift(project, env)
    if as_json:
        screen.document(json.dumps({**dataclasses.asdict(report), "drifted": report.drifted}))
        return EXIT_CHANGES if report.drifted else 0
    if not report.drifted:
        screen.out.print(f"No drift: {report.database} matches its {report.compared_with}.")
        if report.recorded_version is None:
            screen.out.print(
                f"It has no recorded version: `mrpplan migrate baseline {env.name}` records it."
            )
        return 0
    screen.out.print(
        Text(
            f"Drift: {report.database} differs from its {report.compared_with}:",
            style="bold yellow",
        )
    )
    for line in report.differences:
        screen.out.print(f"  {line}")
    return EXIT_CHANGES


def _drift_fleet(project: Project, screen: Screen, env: Environment, as_json: bool) -> int:
    """`mrpplan drift FLEET`: exit 0 none drifted, 2 some did, 1 some could not be read."""
    from mrpplan.plan.drift import DriftReport, detect_drift

    rows: list[Each[DriftReport]] = for_each(env, lambda e: detect_drift(project, e))
    drifted = sum(1 for r in rows if r.result is not None and r.result.drifted)
    if as_json:
        screen.document(
            json.dumps(
                {
                    "environment": env.name,
                    "databases": [
                        {
                            **(
                                {**dataclasses.asdict(r.result), "drifted": r.result.drifted}
                                if r.result
                                else {"error": _error_row(r)}
                            ),
                            "database": r.label,
                        }
                        for r in rows
                    ],
                    "drifted": drifted,
                },
                indent=2,
            )
        )
        return _finish(rows, drifted)
    table = Table(title=f"Drift of {env.name} ({len(rows)} databases)", title_justify="left")
    for column in ("database", "version", "drift", "differences"):
        table.add_column(column)
    for r in rows:
        if r.result is None:
            table.add_row(r.label, "", "[red]error[/]", _error_row(r))
            continue
        differences = "; ".join(r.result.differences[:3])
        if len(r.result.differences) > 3:
            differences += f"; ... ({len(r.result.differences)} in all)"
        table.add_row(
            r.label,
            r.result.recorded_version or "none",
            "[yellow]drift[/]" if r.result.drifted else "[green]none[/]",
            differences,
        )
    screen.out.print(table)
    screen.out.print(f"{drifted} of {len(rows)} database(s) drifted.")
    return _finish(rows, drifted)


_STATE_STYLE = {"applied": "green", "pending": "yellow", "edited": "bold red", "missing": "red"}


def migrate_status(project: Project, screen: Screen, env: Environment, as_json: bool) -> int:
    """`mrpplan migrate status ENV`: exit 1 when an applied migration's file was edited."""
    from mrpplan.desired.status import edited_messages
    from mrpplan.migrate import operations

    if env.is_fleet:
        return _migrate_status_fleet(project, screen, env, as_json)
    state = operations.read_migrations(project, env)
    problems = edited_messages(state.statuses, env.name)
    if as_json:
        document = {
            "environment": env.name,
            "database": state.database,
            "has_history": state.has_history,
            "migrations": [s.as_dict() for s in state.statuses],
            "errors": problems,
        }
        screen.document(json.dumps(document, indent=2))
        return 1 if problems else 0
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
    screen.out.print(table)
    if not state.has_history:
        screen.out.print(
            f"{state.database} has no mrpplan_schema_history yet: `mrpplan migrate up"
            f" {env.name}` builds an empty database; one that already has the schema is"
            f" adopted with `mrpplan migrate baseline {env.name} --version N`."
        )
    for line in problems:
        screen.err.print(f"[bold red]Error:[/] {line}")
    return 1 if problems else 0


def _migrate_status_fleet(project: Project, screen: Screen, env: Environment, as_json: bool) -> int:
    """`mrpplan migrate status FLEET`: each database's version and pending migrations."""
    from mrpplan.desired.status import edited_messages
    from mrpplan.migrate import operations

    rows = for_each(env, lambda e: operations.read_migrations(project, e))
    documents: list[dict[str, Any]] = []
    for r in rows:
        if r.result is None:
            documents.append({"database": r.label, "error": _error_row(r)})
            continue
        statuses = r.result.statuses
        documents.append(
            {
                "database": r.label,
                "has_history": r.result.has_history,
                "version": _newest_applied(statuses),
                "pending": [s.version for s in statuses if s.state == "pending"],
                "migrations": [s.as_dict() for s in statuses],
                "errors": edited_messages(statuses, env.name),
            }
        )
    attention = sum(1 for d in documents if d.get("pending") or d.get("errors"))
    if as_json:
        screen.document(json.dumps({"environment": env.name, "databases": documents}, indent=2))
        return _finish(rows, 0)
    table = Table(title=f"Migrations of {env.name} ({len(rows)} databases)", title_justify="left")
    for column in ("database", "version", "pending", "problems"):
        table.add_column(column)
    for d in documents:
        problems = d.get("error") or "; ".join(d.get("errors") or [])
        table.add_row(
            str(d["database"]),
            str(d.get("version") or "none"),
            ", ".join(d.get("pending") or []),
            str(problems),
        )
    screen.out.print(table)
    screen.out.print(f"{attention} of {len(rows)} database(s) have pending or edited migrations.")
    return _finish(rows, 0)


def _newest_applied(statuses: Sequence[Any]) -> str | None:
    applied = [s.version for s in statuses if s.state in ("applied", "edited")]
    return max(applied) if applied else None


def backup(screen: Screen, env: Environment, order: BackupOrder) -> int:
    """`mrpplan backup ENV`; on a fleet one backup and manifest per database, in its own
    folder (<backup dir>/<database>), `fleet.parallel` at a time."""
    from mrpplan.backup.dump import BackupResult
    from mrpplan.restore.take_backup import back_up

    if not env.is_fleet:
        back_up(screen, env, order)
        return 0
    kind = order.kind
    rows: list[Each[BackupResult]] = for_each(env, order.take, progress=screen.progress())
    if order.auto:
        for r in rows:
            if r.result is None:
                screen.document(
                    f"backup FAILED: env={env.name} database={r.label}: {_error_row(r)}"
                )
            else:
                m = r.result.manifest
                screen.document(
                    f"backup ok: env={env.name} database={r.label} kind={kind} "
                    f"file={r.result.path} bytes={m.compressed_bytes} tables={len(m.tables)}"
                )
        return _finish(rows, 0)
    table = Table(title=f"Backups of {env.name} ({kind})", title_justify="left")
    for column in ("database", "result", "file", "tables", "bytes"):
        table.add_column(column)
    for r in rows:
        if r.result is None:
            table.add_row(r.label, "[red]failed[/]", _error_row(r), "", "")
            continue
        m = r.result.manifest
        table.add_row(
            r.label, "[green]ok[/]", str(r.result.path), str(len(m.tables)), str(m.compressed_bytes)
        )
    screen.out.print(table)
    failed = sum(1 for r in rows if r.error)
    screen.out.print(f"Backed up {len(rows) - failed} of {len(rows)} database(s).")
    return _finish(rows, 0)


def recover(
    project: Project,
    screen: Screen,
    env: Environment,
    forward_file: Path | None,
    *,
    wiring: Wiring,
) -> int:
    """`mrpplan recover ENV [--forward FILE]`: roll back (or finish) an interrupted apply."""
    from mrpplan.apply.recover import recover as recover_one

    if env.is_fleet:
        if forward_file:
            raise UsageError(
                "recover --forward works on one database: on a fleet, roll back with "
                f"`mrpplan recover {env.name}`, then plan and apply again"
            )
        return _recover_fleet(project, screen, env, wiring)
    forward = read_plan(forward_file) if forward_file else None
    result = recover_one(project, env, wiring=wiring, forward=forward, progress=screen.progress())
    database = env.connection.database
    for name in result.removed:
        screen.out.print(f"Dropped the scratch database {name} of an interrupted load.")
    for line in result.repaired:
        screen.out.print(Text(line))
    if result.direction in ("nothing", "scratch"):
        screen.out.print(f"Nothing to recover: no interrupted apply on {database}.")
        return 0
    assert result.plan is not None
    if result.direction == "rollback":
        screen.out.print(
            f"Rolled back the interrupted apply of plan {result.plan.digest[:12]}: "
            f"undone {_undone(result) or 'nothing (no step had taken effect)'}. "
            f"{database} is back where it was before the apply."
        )
    else:
        screen.out.print(
            f"Finished the interrupted plan {result.plan.digest[:12]}: ran steps "
            f"{', '.join(result.finished) or '(none left)'}; {database} now matches the plan."
        )
    return 0


def _undone(result: RecoverResult) -> str:
    return ", ".join(f"{s.id} ({s.action} {s.object})" for s in result.undone)


def _recover_fleet(project: Project, screen: Screen, env: Environment, wiring: Wiring) -> int:
    """`mrpplan recover FLEET`: roll back the interrupted apply of every database that has
    one (each from its own journal)."""
    from mrpplan.apply.recover import recover as recover_one

    rows: list[Each[RecoverResult]] = for_each(
        env, lambda e: recover_one(project, e, wiring=wiring, forward=None, progress=None)
    )
    table = Table(title=f"Recover {env.name}", title_justify="left")
    for column in ("database", "result", "undone"):
        table.add_column(column)
    for r in rows:
        if r.result is None:
            table.add_row(r.label, "[red]error[/]", _error_row(r))
        elif r.result.direction in ("nothing", "scratch"):
            table.add_row(r.label, "nothing to recover", "")
        else:
            undone = _undone(r.result)
            table.add_row(r.label, "[yellow]rolled back[/]", undone or "nothing had taken effect")
    screen.out.print(table)
    return _finish(rows, 0)
