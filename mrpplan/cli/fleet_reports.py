"""CLI for the per-database commands on a fleet: drift, migrate status, backup and recover
run on every database (`fleet.parallel` at a time) and report one table, or `--json`."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from mrpplan.cli.context import AppContext
from mrpplan.config import Environment
from mrpplan.errors import EXIT_CHANGES, EXIT_ERROR
from mrpplan.fleet.each import Each, for_each


def _progress(app: AppContext) -> Callable[[str], None]:
    return lambda line: app.err_console.print(Text(line, style="dim"))


def _error_row(each: Each[Any]) -> str:
    return each.error.message.splitlines()[0] if each.error else ""


def _finish(rows: list[Each[Any]], attention: int) -> None:
    """Exit 1 when a database could not be checked, 2 when one needs attention."""
    if any(r.error for r in rows):
        sys.exit(EXIT_ERROR)
    if attention:
        sys.exit(EXIT_CHANGES)


def drift(app: AppContext, env: Environment, *, as_json: bool) -> None:
    """`mrpplan drift FLEET`: exit 0 none drifted, 2 some did, 1 some could not be read."""
    from mrpplan.plan.drift import DriftReport, detect_drift

    rows: list[Each[DriftReport]] = for_each(env, lambda e: detect_drift(app.project, e))
    drifted = sum(1 for r in rows if r.result is not None and r.result.drifted)
    if as_json:
        click.echo(
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
        _finish(rows, drifted)
        return
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
    app.console.print(table)
    app.console.print(f"{drifted} of {len(rows)} database(s) drifted.")
    _finish(rows, drifted)


def migrate_status(app: AppContext, env: Environment, *, as_json: bool) -> None:
    """`mrpplan migrate status FLEET`: each database's version and pending migrations."""
    from mrpplan.desired.status import edited_messages
    from mrpplan.migrate import operations

    rows = for_each(env, lambda e: operations.read_migrations(app.project, e))
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
        click.echo(json.dumps({"environment": env.name, "databases": documents}, indent=2))
        _finish(rows, 0)
        return
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
    app.console.print(table)
    app.console.print(f"{attention} of {len(rows)} database(s) have pending or edited migrations.")
    _finish(rows, 0)


def _newest_applied(statuses: Sequence[Any]) -> str | None:
    applied = [s.version for s in statuses if s.state in ("applied", "edited")]
    return max(applied) if applied else None


def backup(
    app: AppContext,
    env: Environment,
    *,
    kind: str,
    tables: tuple[str, ...],
    compress: str,
    label: str,
    auto: bool,
) -> None:
    """`mrpplan backup FLEET`: one backup and manifest per database, in its own folder
    (<backup dir>/<database>), `fleet.parallel` at a time."""
    from mrpplan.backup.dump import BackupResult, create_backup

    def one(member: Environment) -> BackupResult:
        return create_backup(member, kind, tables=tables, compression=compress, label=label)

    rows: list[Each[BackupResult]] = for_each(env, one, progress=_progress(app))
    if auto:
        for r in rows:
            if r.result is None:
                click.echo(f"backup FAILED: env={env.name} database={r.label}: {_error_row(r)}")
            else:
                m = r.result.manifest
                click.echo(
                    f"backup ok: env={env.name} database={r.label} kind={kind} "
                    f"file={r.result.path} bytes={m.compressed_bytes} tables={len(m.tables)}"
                )
        _finish(rows, 0)
        return
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
    app.console.print(table)
    failed = sum(1 for r in rows if r.error)
    app.console.print(f"Backed up {len(rows) - failed} of {len(rows)} database(s).")
    _finish(rows, 0)


def recover(app: AppContext, env: Environment) -> None:
    """`mrpplan recover FLEET`: roll back the interrupted apply of every database that has
    one (each from its own journal)."""
    from mrpplan.apply.recover import RecoverResult
    from mrpplan.apply.recover import recover as recover_one
    from mrpplan.cli.wiring import wiring

    rows: list[Each[RecoverResult]] = for_each(
        env, lambda e: recover_one(app.project, e, wiring=wiring(), forward=None, progress=None)
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
            undone = ", ".join(f"{s.id} ({s.action} {s.object})" for s in r.result.undone)
            table.add_row(r.label, "[yellow]rolled back[/]", undone or "nothing had taken effect")
    app.console.print(table)
    _finish(rows, 0)
