"""The one list of what plans and applies are made of above `plan`: the step producers
(migrations, seeds, sync), the plan builders `apply` checks a plan file with, and the
services step kinds' hooks need (checkpoints, seed history, loads). Commands pass it down;
nothing below registers itself on import (plan/providers.py `Wiring`)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

from mrpplan.backup import checkpoint
from mrpplan.config import Environment
from mrpplan.migrate.plan_steps import migration_steps
from mrpplan.plan.kinds import RunContext
from mrpplan.plan.load import Load
from mrpplan.plan.planner import converge
from mrpplan.plan.providers import Wiring
from mrpplan.plan.types import Step
from mrpplan.restore import pitr_plan, purge_plan, restore_plan
from mrpplan.seed import plan_steps as seed_steps
from mrpplan.sync import copy
from mrpplan.sync.plan_steps import sync_steps


class Services:
    """`plan.kinds.StepServices`: each load kind's rows and checks, by `Load.kind`."""

    def save_checkpoint(self, env: Environment, tables: Sequence[str], label: str) -> Path:
        return checkpoint.save_checkpoint(env, tuple(tables), label=label)

    def restore_checkpoint(self, env: Environment, path: Path) -> None:
        checkpoint.restore_checkpoint(env, path)

    def run_seed(self, ctx: RunContext, step: Step) -> str | None:
        return seed_steps.run_seed_step(ctx, step)

    def undo_seed(self, ctx: RunContext, step: Step, artifact: str | None) -> None:
        seed_steps.undo_seed_step(ctx, step, artifact)

    def stream_load(self, ctx: RunContext, load: Load, scratch: str) -> None:
        if load.kind == "backup":
            restore_plan.stream_load(ctx, load, scratch)
        elif load.kind == "sync":
            copy.stream_load(ctx, load, scratch)
        else:
            raise ValueError(f"unknown load kind {load.kind!r}")

    def check_load(self, ctx: RunContext, load: Load, scratch: str) -> None:
        if load.kind == "backup":
            restore_plan.check_load(ctx, load, scratch)
        elif load.kind == "sync":
            copy.check_load(ctx, load, scratch)

    def replay_binlogs(self, ctx: RunContext, step: Step) -> None:
        pitr_plan.run_replay(ctx, step)


@cache
def wiring() -> Wiring:
    return Wiring(
        schema_providers=(("migrations", migration_steps),),
        data_providers=(("seeds", seed_steps.seed_steps), ("sync", sync_steps)),
        builders={
            "converge": converge,
            "restore": restore_plan.build_again,
            "restore_pitr": pitr_plan.build_again,
            "sync_copy": copy.build_again,
            purge_plan.BUILDER: purge_plan.build_again,
        },
        services=Services(),
    )
