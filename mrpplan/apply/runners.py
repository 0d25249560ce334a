"""Step kinds that are not plain SQL (e.g. a sync_table step streaming through the client
tools) register how to run and undo themselves here; the actions of SQL_ACTIONS run their
`sql`. A step of any other action is refused at plan and at apply (`runner_problem`): an
action nothing knows how to carry out is never "run its SQL and hope".

    from mrpplan.apply.runners import RunContext, register_step_runner

    def copy_table(ctx: RunContext, step: Step) -> str | None: ...   # returns an artifact path
    def undo_copy(ctx: RunContext, step: Step, artifact: str | None) -> None: ...
    register_step_runner("sync_table", copy_table, undo_copy)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mrpplan.config import Environment, Project
from mrpplan.mysql.connection import Session
from mrpplan.plan.types import Step


@dataclass(frozen=True)
class RunContext:
    project: Project
    env: Environment
    conn: Session  # the apply's connection (holds the lock)
    progress: Callable[[str], None] = field(default=lambda _line: None)


_PROGRAMS = ("procedure", "function", "trigger", "event")

Forward = Callable[[RunContext, Step], "str | None"]
Undo = Callable[[RunContext, Step, "str | None"], None]
# after a kill: remove what the step left half-done; True when it took effect
Interrupted = Callable[[RunContext, Step], bool]


@dataclass(frozen=True)
class StepRunner:
    forward: Forward
    undo: Undo
    interrupted: Interrupted | None = None


# actions whose steps are their own SQL, run by the executor statement by statement
SQL_ACTIONS = frozenset(
    {
        "checkpoint",  # the executor's own: a dump of the listed tables
        "create_table",
        "alter_table",
        "drop_table",
        "create_view",
        "drop_view",
        "replace_view",
        *(f"{verb}_{kind}" for verb in ("create", "drop") for kind in _PROGRAMS),
        "migrate_up",
        "migrate_down",
        "record_history",
        "empty_tables",
        "create_database",
        "drop_database",
        "shadow_prepare",
        "swap_tables",
        "trash_table",  # a restore moves a table the backup lacks to its trash database
        "unsupported_table",  # shown, never run (apply refuses the plan)
    }
)

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


def runner_problem(step: Step) -> str | None:
    """Why no code can carry out `step` (None when its action is SQL or has a runner)."""
    if step.action in SQL_ACTIONS or runner_for(step.action) is not None:
        return None
    return (
        f"step {step.id} ({step.action} {step.object}): no runner carries out a"
        f" {step.action!r} step, and mrpplan never runs such a step's SQL blindly"
    )
