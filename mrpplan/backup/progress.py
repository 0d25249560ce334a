"""How long-running backup work reports progress, without knowing how it is shown."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """A sink for byte progress; the CLI draws a rich bar, cron mode draws nothing."""

    def start(self, description: str, total: int | None) -> None: ...

    def advance(self, done: int) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    """Reports nowhere (library callers, --auto)."""

    def start(self, description: str, total: int | None) -> None:
        return None

    def advance(self, done: int) -> None:
        return None

    def finish(self) -> None:
        return None
