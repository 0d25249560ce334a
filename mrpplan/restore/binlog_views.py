"""`backup ENV --binlogs [--follow]` and the recovery window lines of `backup --list`
(DESIGN §3.13)."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterable
from types import FrameType

from mrpplan.backup.binlog_archive import ArchiveRun, archive_binlogs, follow_binlogs
from mrpplan.backup.binlog_window import recovery
from mrpplan.backup.retention_binlogs import oldest_needed
from mrpplan.config.settings import Environment
from mrpplan.errors import ConfigError
from mrpplan.plan.screen import Screen


def archive(screen: Screen, env: Environment, *, follow: bool, auto: bool) -> None:
    """Copy the new binary logs once (or every 2 s until stopped, `follow`) and say so."""

    def report(run: ArchiveRun) -> None:
        copied = _names(run)
        if auto:
            screen.document(
                f"binlogs ok: env={env.name} copied={len(run.copied)} unchanged={run.unchanged}"
                f" pruned={len(run.pruned)}"
            )
        elif copied or not follow:
            screen.out.print(
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
            screen.out.print("  " + recovery(env).summary(time.time()))

    if not follow:
        report(archive_binlogs(env, keep_from=oldest_needed(env)))
        return
    stopping: list[int] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    previous = signal.signal(signal.SIGTERM, stop)
    screen.out.print(f"Archiving binary logs of {env.name} every 2 s; Ctrl-C stops.")
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
    screen.out.print("  " + recovery(env).summary(time.time()))


def print_windows(
    screen: Screen, names: Iterable[str], lookup: Callable[[str], Environment]
) -> None:
    """One line per environment with archived logs: its recovery window, gaps, staleness."""
    for each in names:
        try:
            env = lookup(each)
        except ConfigError:
            continue
        found = recovery(env)
        if found.logs:
            screen.out.print(f"{env.name}: {found.summary(time.time())}")


def _names(run: ArchiveRun) -> str:
    """`a (N bytes), b (M bytes)`, or for many files `N logs, first … last (M bytes)`."""
    logs = run.copied
    if len(logs) <= 3:
        return ", ".join(f"{log.name} ({log.size:,} bytes)" for log in logs)
    total = sum(log.size for log in logs)
    return f"{len(logs)} logs, {logs[0].name} … {logs[-1].name} ({total:,} bytes)"
