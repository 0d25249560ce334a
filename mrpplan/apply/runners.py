"""Step kinds that are not plain SQL (e.g. a sync_table step streaming through the client
tools) register how to run and undo themselves here; everything else runs its `sql`.

    from mrpplan.apply.runners import RunContext, register_step_runner

    def copy_table(ctx: RunContext, step: Step) -> str | None: ...   # returns an artifact path
    def undo_copy(ctx: RunContext, step: Step, artifact: str | None) -> None: ...
    register_step_runner("sync_table", copy_table, undo_copy)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mrpplan.config import Environment, Project
from mrpplan.plan.types import Step


@dataclass(frozen=True)
class RunContext:
    project: Project
    env: Environment
    conn: Any  # the apply's connection (holds the lock)
    progress: Callable[[str], None] = field(default=lambda _line: None)


Forward = Callable[[RunContext, Step], "str | None"]
Undo = Callable[[RunContext, Step, "str | None"], None]
# after a kill: remove what the step left half-done; True when it took effect
Interrupted = Callable[[RunContext, Step], bool]


@dataclass(frozen=True)
class StepRunner:
    forward: Forward
    undo: Undo
    interrupted: Interrupted | None = None


_RUNNERS: dict[str, StepRunner] = {}
# modules that register runners of steps no provider makes (imported on first use)
_RUNNER_MODULES = ("mrpplan.apply.online_runner",)


def register_step_runner(
    action: str, forward: Forward, undo: Undo, interrupted: Interrupted | None = None
) -> None:
    _RUNNERS[action] = StepRunner(forward, undo, interrupted)


def runner_for(action: str) -> StepRunner | None:
    import importlib

    from mrpplan.plan.providers import data_providers

    data_providers()  # importing the provider modules also registers their runners
    for module in _RUNNER_MODULES:
        importlib.import_module(module)
    return _RUNNERS.get(action)
