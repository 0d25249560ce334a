"""A rich progress bar (bytes, rate, ETA) for backup/restore work, on a terminal only."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from mrpplan.backup.progress import NoProgress
from mrpplan.backup.progress import Progress as ProgressSink

if TYPE_CHECKING:  # rich.progress is imported by a bar shown (cron's --auto shows none)
    from rich.console import Console
    from rich.progress import TaskID


class RichBar:
    """One bar per started task; `advance` takes the running byte total (thread-safe in rich)."""

    def __init__(self, console: Console):
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self._task: TaskID | None = None

    def start(self, description: str, total: int | None) -> None:
        if self._task is None:
            self._progress.start()
        else:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(description, total=total)

    def advance(self, done: int) -> None:
        if self._task is not None:
            task = self._progress.tasks[-1]
            total = task.total
            if total is not None and done > total:  # estimates from information_schema are rough
                self._progress.update(self._task, total=done * 1.1)
            self._progress.update(self._task, completed=done)

    def finish(self) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
            self._task = None
            self._progress.stop()


def progress_for(console: Console, *, quiet: bool = False) -> ProgressSink:
    """A bar when stderr is a terminal and not quiet (--auto), otherwise nothing."""
    if quiet or not sys.stderr.isatty() or not console.is_terminal:
        return NoProgress()
    return RichBar(console)
