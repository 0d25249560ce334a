"""The one list of what plans and applies are made of above `plan`: the step producers
(migrations, seeds, sync), the plan builders `apply` checks a plan file with, and the
services step kinds' hooks need (checkpoints, seed history, loads). Commands pass it down;
nothing below registers itself on import (plan/providers.py `Wiring`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from mrpplan.config import Environment, Project
from mrpplan.migrate.plan_steps import migration_steps
from mrpplan.plan.kinds import RunContext
from mrpplan.plan.load import Load
from mrpplan.plan.planner import converge
from mrpplan.plan.providers import Wiring
from mrpplan.plan.types import Plan, Step
from mrpplan.seed import plan_steps as seed_steps
from mrpplan.sync.plan_steps import sync_steps

# Restores, point-in-time restores, purges, copies between environments and checkpoints
# are imported when one is built or run: a plain `plan` or `apply` of schema changes does
# not load the backup or copy machinery (start-up is half of a no-change plan).


class Services:
    """`plan.kinds.StepServices`: each load kind's rows and checks, by `Load.kind`."""

    def save_checkpoint(self, env: Environment, tables: Sequence[str], label: str) -> Path:
        from mrpplan.backup import checkpoint

        return checkpoint.save_checkpoint(env, tuple(tables), label=label)

    def restore_checkpoint(self, env: Environment, path: Path) -> None:
        from mrpplan.backup import checkpoint

        checkpoint.restore_checkpoint(env, path)

    def run_seed(self, ctx: RunContext, step: Step) -> str | None:
        return seed_steps.run_seed_step(ctx, step)

    def undo_seed(self, ctx: RunContext, step: Step, artifact: str | None) -> None:
        seed_steps.undo_seed_step(ctx, step, artifact)

    def stream_load(self, ctx: RunContext, load: Load, scratch: str) -> None:
        if load.kind == "backup":
            from mrpplan.restore import restore_plan

            restore_plan.stream_load(ctx, load, scratch)
        elif load.kind == "sync":
            from mrpplan.sync import copy

            copy.stream_load(ctx, load, scratch)
        else:
            raise ValueError(f"unknown load kind {load.kind!r}")

    def check_load(self, ctx: RunContext, load: Load, scratch: str) -> None:
        if load.kind == "backup":
            from mrpplan.restore import restore_plan

            restore_plan.check_load(ctx, load, scratch)
        elif load.kind == "sync":
            from mrpplan.sync import copy

            copy.check_load(ctx, load, scratch)

    def replay_binlogs(self, ctx: RunContext, step: Step) -> None:
        from mrpplan.restore import pitr_plan

        pitr_plan.run_replay(ctx, step)


def _lazy_builder(
    builder: str,
) -> Callable[[Project, Environment, Mapping[str, Any], datetime, Wiring], Plan]:
    """The `build_again` of the restore or copy module whose plans name `builder`, imported
    when such a plan is checked."""

    def build_again(
        project: Project, env: Environment, origin: Mapping[str, Any], now: datetime, wiring: Wiring
    ) -> Plan:
        from mrpplan.restore import pitr_plan, purge_plan, restore_plan
        from mrpplan.sync import copy

        module = {
            "restore": restore_plan,
            "restore_pitr": pitr_plan,
            purge_plan.BUILDER: purge_plan,
            "sync_copy": copy,
        }
        return module[builder].build_again(project, env, origin, now, wiring)

    return build_again


@cache
def wiring() -> Wiring:
    return Wiring(
        schema_providers=(("migrations", migration_steps),),
        data_providers=(("seeds", seed_steps.seed_steps), ("sync", sync_steps)),
        builders={
            "converge": converge,
            "restore": _lazy_builder("restore"),
            "restore_pitr": _lazy_builder("restore_pitr"),
            "sync_copy": _lazy_builder("sync_copy"),
            "purge_trash": _lazy_builder("purge_trash"),  # restore/purge_plan.BUILDER
        },
        services=Services(),
    )
