"""CLI: `backup ENV --binlogs [--follow]` and the recovery window lines (DESIGN §3.13)."""

from __future__ import annotations

import signal
import time
from types import FrameType

import click

from mrpplan.backup.binlog_archive import ArchiveRun, archive_binlogs, follow_binlogs
from mrpplan.backup.binlog_window import recovery
from mrpplan.backup.retention_binlogs import oldest_needed
from mrpplan.cli.context import AppContext
from mrpplan.errors import ConfigError


def archive(app: AppContext, name: str, *, follow: bool, auto: bool) -> None:
    env = app.environment(name)

    def report(run: ArchiveRun) -> None:
        copied = _names(run)
        if auto:
            click.echo(
                f"binlogs ok: env={env.name} copied={len(run.copied)} unchanged={run.unchanged}"
                f" pruned={len(run.pruned)}"
            )
        elif copied or not follow:
            app.console.print(
                f"Archived binary logs of {env.name}: "
                + (f"copied {copied}" if copied else "nothing new")
                + (f"; {run.unchanged} already archived" if run.unchanged else "")
                + (
                    f"; pruned {len(run.pruned)} older than the oldest full backup"
                    if run.pruned
                    else ""
                )
            )
        if not follow:
            app.console.print("  " + recovery(env).summary(time.time()))

    if not follow:
        report(archive_binlogs(env, keep_from=oldest_needed(env)))
        return
    stopping: list[int] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    previous = signal.signal(signal.SIGTERM, stop)
    app.console.print(f"Archiving binary logs of {env.name} every 2 s; Ctrl-C stops.")
    try:
        follow_binlogs(
            env,
            interval=2.0,
            on_run=report,
            keep_from=lambda: oldest_needed(env),
            stop=lambda: bool(stopping),
        )
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    app.console.print("  " + recovery(env).summary(time.time()))


def print_windows(app: AppContext, name: str | None) -> None:
    """One line per environment with archived logs: its recovery window, gaps, staleness."""
    names = [name] if name else app.project.environment_names()
    for each in names:
        try:
            env = app.environment(each)
        except ConfigError:
            continue
        found = recovery(env)
        if found.logs:
            app.console.print(f"{env.name}: {found.summary(time.time())}")


def _names(run: ArchiveRun) -> str:
    """`a (N bytes), b (M bytes)`, or for many files `N logs, first … last (M bytes)`."""
    logs = run.copied
    if len(logs) <= 3:
        return ", ".join(f"{log.name} ({log.size:,} bytes)" for log in logs)
    total = sum(log.size for log in logs)
    return f"{len(logs)} logs, {logs[0].name} … {logs[-1].name} ({total:,} bytes)"
