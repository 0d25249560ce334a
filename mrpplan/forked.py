"""Work done by a forked child on a second core while the command does something else.

A plan is Python work between the server's: lint parses the live tables while the
desired schema builds (lint/ahead.py). A forked child sees the parent's data as it was
at the fork (nothing is copied or pickled on the way in), and sends back one picklable
result. The child never
writes to the command's output, ignores Ctrl-C (the command answers it) and dies with the
command. Where fork does not exist, or the child fails, `result()` is None and the caller
does the work itself: the outcome is the same either way.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:  # multiprocessing is imported when a child starts (start-up of a plan)
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

T = TypeVar("T")


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


class Forked(Generic[T]):
    """`work()` run in a child started now; `result()` waits for what it returned."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._child: BaseProcess | None = None
        self._pipe: Connection | None = None
        if not _can_fork():
            return
        import multiprocessing

        context = multiprocessing.get_context("fork")
        mine, theirs = context.Pipe(duplex=False)
        arm = kill_with_parent()
        self._child = context.Process(target=_run, args=(work, theirs, arm), daemon=True)
        self._child.start()
        theirs.close()
        self._pipe = mine

    def result(self) -> T | None:
        """What the child's work returned (waiting for it), or None when it failed."""
        if self._child is None or self._pipe is None:
            return None
        try:
            found: T | None = self._pipe.recv()
        except (EOFError, OSError):  # the child failed
            found = None
        self._pipe.close()
        self._child.join()
        self._child = self._pipe = None
        return found

    def cancel(self) -> None:
        """Stop the child if its result is not wanted any more."""
        if self._child is None or self._pipe is None:
            return
        self._child.terminate()
        self._child.join()
        self._pipe.close()
        self._child = self._pipe = None


def _run(work: Callable[[], object], send: Connection, arm: Callable[[], None]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    arm()
    with contextlib.suppress(Exception):  # then the parent gets nothing and does the work
        send.send(work())
    send.close()


def kill_with_parent() -> Callable[[], None]:
    """What a child calls to be SIGKILLed when mrpplan dies (a tool that changes a table
    must never carry on alone after its apply was killed; a helper has no one left to
    help). The C function is looked up here, in the parent: a child forked from a process
    with threads must not load libraries."""
    import ctypes

    pr_set_pdeathsig = 1
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux: the child is not tied to its parent
        return lambda: None

    def arm() -> None:
        prctl(pr_set_pdeathsig, signal.SIGKILL)

    return arm
