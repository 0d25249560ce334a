"""Where a command's flow reports: the console (stdout), the error console (stderr, for
progress, warnings and everything beside a --json document) and --verbose."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


@dataclass(frozen=True)
class Screen:
    """The consoles are made on first use: a flow that writes only plain text (`backup
    ENV --auto`, cron's command) never loads rich, a tenth of a small backup's time."""

    make_out: Callable[[], Console]
    make_err: Callable[[], Console]
    verbose: bool = False

    @property
    def out(self) -> Console:
        return self.make_out()

    @property
    def err(self) -> Console:
        return self.make_err()

    def progress(self) -> Callable[[str], None]:
        """Progress lines: dim, on stderr."""
        from rich.text import Text

        return lambda line: self.err.print(Text(line, style="dim"))

    def steps(self) -> Callable[[str], None]:
        """An apply's step lines: dim, on stderr, as they are (two a step: kept cheap; not
        on a terminal they are plain text, written as such without rich's rendering)."""
        console = self.err
        if console.is_terminal:
            return lambda line: console.out(line, style="dim", highlight=False)

        def plain(line: str) -> None:
            console.file.write(line + "\n")
            console.file.flush()

        return plain

    def view(self, as_json: bool) -> Console:
        """Where the human view goes: stderr when stdout holds a JSON document."""
        return self.err if as_json else self.out

    def document(self, text: str, *, newline: bool = True, err: bool = False) -> None:
        """Plain text as it is (no markup, no wrapping): a machine-readable document (JSON,
        markdown) or lines meant for grep, on stdout (`err`: on stderr)."""
        stream = sys.stderr if err else sys.stdout
        stream.write(text + ("\n" if newline else ""))
        stream.flush()
