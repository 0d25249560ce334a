"""Lint the live tables while a plan builds its desired schema.

With no cache (a new clone, CI), lint parses every desired table after the build: about
1 ms of CPU each, while during the build the server works and Python waits. Most desired
tables are exactly the live ones, so a child process (forked as the live schema is read)
works out the table rules' findings for the live tables' texts during the build; lint
takes them, keyed as its own cache is (name and verbatim text), and parses only the
tables whose text differs. Without fork, for a small schema, with a warm cache, or when
the child fails, lint parses as before: the same findings either way."""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

# below this many tables parsing them takes less time than starting the child
MIN_TABLES = 100

Rows = list[list[str]]  # one table's findings: [rule, table, message] each

_pending: tuple[BaseProcess, Connection] | None = None


def table_key(name: str, text: str) -> str:
    """The key of one table's findings: its name and verbatim text."""
    return hashlib.sha256(f"{name}\0{text}".encode()).hexdigest()


def table_rows(name: str, table: Any) -> Rows:
    from mrpplan.lint.schema_rules import table_findings

    return [list(f) for f in table_findings(name, table)]


def starter(cached: Path) -> Callable[[Any], None]:
    """What a plan calls with the live schema: start the child unless lint's table cache
    (`cached`) exists, since then lint parses only what changed."""

    def start(schema: Any) -> None:
        global _pending
        tables = dict(schema.tables)
        if (
            _pending is not None
            or len(tables) < MIN_TABLES
            or cached.exists()
            or "fork" not in multiprocessing.get_all_start_methods()
        ):
            return
        from mrpplan.mysql.client_process import kill_with_parent

        context = multiprocessing.get_context("fork")
        mine, theirs = context.Pipe(duplex=False)
        arm = kill_with_parent()
        child = context.Process(target=_work, args=(tables, theirs, arm), daemon=True)
        child.start()
        theirs.close()
        _pending = (child, mine)

    return start


def take() -> dict[str, Rows]:
    """The child's findings by table key (waiting for it to finish), or none."""
    global _pending
    if _pending is None:
        return {}
    child, mine = _pending
    _pending = None
    try:
        rows: dict[str, Rows] = mine.recv()
    except (EOFError, OSError):  # the child failed: lint parses every table itself
        rows = {}
    mine.close()
    child.join()
    return rows


def _work(tables: dict[str, Any], send: Connection, arm: Callable[[], None]) -> None:
    """In the child: no output of its own, no Ctrl-C (the command answers it), and gone
    with the command if that is killed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    arm()
    with contextlib.suppress(Exception):  # then the parent gets nothing and parses itself
        send.send({table_key(n, t.text): table_rows(n, t) for n, t in tables.items()})
    send.close()
