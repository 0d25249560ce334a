"""Every kind of plan step: how it counts, what it may run, how it runs.

A `Step` (plan/types.py) is one of these kinds plus its payload. A kind is a `StepKind`
value in the table at the end of this file; a kind that runs its own code is a subclass
defining the hooks. A kind says:
  - `summary`: how it counts in "Plan: 1 to add, ..." (add | change | destroy | data | none);
  - its guard rule (`writes_rows`, `moves_shadow`, `author_sql`, `problem`): which
    statements `apply` lets it run (apply/statement_guard.py asks the kind, never a list);
  - its payload type (`CheckpointTables`, `OnlineRoute`; None: the SQL is the step), which
    only plan/planfile.py turns into JSON and back;
  - `runs_itself` and its `run`, `undo`, `interrupted` hooks; every other kind is its SQL,
    run statement by statement by the executor (apply/steps.py).

Kinds are looked up by their action name only when a plan file is read (`kind_named`);
code that makes steps names the kind object (`kinds.CREATE_TABLE`). Nothing registers
itself: `KINDS` below is the whole list. A hook that needs code of a higher
package (a checkpoint's dump, a seed's history, a load's rows) asks `StepServices`, which
the command layer passes to the executor (mrpplan/wiring.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mrpplan.config import Environment, Project
from mrpplan.config.settings import OnlineSchemaChange
from mrpplan.errors import MrpplanError
from mrpplan.mysql.connection import Session

if TYPE_CHECKING:
    from mrpplan.plan.load import Load
    from mrpplan.plan.types import Step

# ------------------------------------------------------------------------------ payloads


@dataclass(frozen=True)
class CheckpointTables:
    """A checkpoint step's payload: the tables it saves (schema and rows)."""

    tables: tuple[str, ...]


@dataclass(frozen=True)
class OnlineRoute:
    """An online_alter step's payload (DESIGN §3.8): the tool, its foreign-key method, the
    tables referencing this one, the trash name the old table is kept as, and the size
    estimates shown to the reviewer (not compared by `apply`'s rebuild)."""

    tool: str
    foreign_keys: str
    trash: str | None
    children: tuple[str, ...] = ()
    rows: int | None = None
    estimate_seconds: int | None = None
    # a Galera node: pause while flow control holds the cluster more than this % of the
    # time (the tool's --max-flow-ctl; plan/galera_steps)
    max_flow_ctl: float | None = None


Payload = CheckpointTables | OnlineRoute | None

# ------------------------------------------------------------------------------ running


class StepServices(Protocol):
    """What hooks need from packages above `plan` (backup, seed, sync): passed in by the
    command that applies, so this module never imports them."""

    def save_checkpoint(self, env: Environment, tables: Sequence[str], label: str) -> Path: ...

    def restore_checkpoint(self, env: Environment, path: Path) -> None: ...

    def run_seed(self, ctx: RunContext, step: Step) -> str | None: ...

    def undo_seed(self, ctx: RunContext, step: Step, artifact: str | None) -> None: ...

    def stream_load(self, ctx: RunContext, load: Load, scratch: str) -> None: ...

    def check_load(self, ctx: RunContext, load: Load, scratch: str) -> None: ...

    def replay_binlogs(self, ctx: RunContext, step: Step) -> None: ...


@dataclass(frozen=True)
class RunContext:
    """What a step's kind gets when it runs under the apply's lock."""

    project: Project
    env: Environment
    conn: Session  # the apply's connection (holds the lock)
    services: StepServices
    progress: Callable[[str], None] = field(default=lambda _line: None)
    label: str = ""  # names the apply in checkpoint manifests


# ------------------------------------------------------------------------------ kinds


@dataclass(frozen=True, eq=False)
class StepKind:
    """A kind of step: how it counts, its guard rule, its payload. A plain kind is its
    SQL, run statement by statement by the executor; a subclass that defines `run` (and
    `undo`, maybe `interrupted`) carries its steps out itself."""

    action: str  # its name in the plan file
    summary: str = "change"  # add | change | destroy | data | none
    # counts as destroy when destructive, else as `summary` (a migration dropping a table,
    # seed refresh emptying tables, a swap that removes rows)
    destructive_counts: bool = False
    # its effects are what its SQL did: migration steps count their objects (`changes`)
    counts_effects: bool = False
    writes_rows: bool = False  # INSERT/UPDATE/DELETE/... allowed (guard)
    moves_shadow: bool = False  # may name its scratch/trash databases (guard)
    author_sql: bool = False  # SQL an author wrote: watched by the server guard
    # may run dynamic SQL (PREPARE, CALL, ...) when its checkpoint saves the whole database
    dynamic_when_checkpointed: bool = False
    touches_data: bool = False  # `checkpoint: always` saves its tables first
    never_runs: bool = False  # shown only: `apply` refuses the plan
    payload_type: type | None = None
    noun: str = "a step"  # what `problem` says it is not

    def __repr__(self) -> str:
        return f"<step kind {self.action}>"

    @property
    def runs_itself(self) -> bool:
        """Its `run`/`undo` instead of its SQL: its class defines `run`."""
        return type(self).run is not StepKind.run

    def summary_of(self, destructive: bool) -> str:
        return "destroy" if destructive and self.destructive_counts else self.summary

    def names_database(self, name: str, database: str) -> bool:
        """May a statement of this kind create or drop database `name` (guard)?"""
        return False

    def problem(self, step: Step) -> str | None:
        """Why `step` is not one mrpplan makes, beyond its statements (guard)."""
        return None

    def run(self, ctx: RunContext, step: Step) -> str | None:
        """Carry out a `runs_itself` step; returns its artifact (a path, a name)."""
        raise NotImplementedError(self.action)

    def undo(self, ctx: RunContext, step: Step, artifact: str | None) -> None:
        raise NotImplementedError(self.action)

    def interrupted(self, ctx: RunContext, step: Step) -> bool | None:
        """After a kill: remove what it left half-done, True when it took effect; None:
        `recover` compares fingerprints."""
        return None


class CreateDatabase(StepKind):
    """A new environment's database: the one statement that may create it (guard)."""

    def names_database(self, name: str, database: str) -> bool:
        return name == database


@dataclass(frozen=True, eq=False)
class AuthorSql(StepKind):
    """SQL an author wrote (a migration, a seed): it may write rows, the server guard
    watches it, `checkpoint: always` saves its tables first, and it counts as destroy
    when it loses data."""

    destructive_counts: bool = True
    writes_rows: bool = True
    author_sql: bool = True
    touches_data: bool = True


class Checkpoint(StepKind):
    """A dump of the tables the next step may lose; undone by loading it back."""

    def run(self, ctx: RunContext, step: Step) -> str | None:
        path = ctx.services.save_checkpoint(ctx.env, step.checkpoint_tables, ctx.label)
        ctx.progress(f"saved {step.object} to {path}")
        return str(path)

    def undo(self, ctx: RunContext, step: Step, artifact: str | None) -> None:
        if artifact:
            ctx.services.restore_checkpoint(ctx.env, Path(artifact))
            ctx.progress(f"restored {step.object} from {artifact}")


class Seed(AuthorSql):
    """A seed file's statements in one transaction, with its history row."""

    def run(self, ctx: RunContext, step: Step) -> str | None:
        return ctx.services.run_seed(ctx, step)

    def undo(self, ctx: RunContext, step: Step, artifact: str | None) -> None:
        ctx.services.undo_seed(ctx, step, artifact)


class BinlogReplay(StepKind):
    """A point-in-time restore's replay (restore/pitr_plan.py): the database's archived
    row events from the backup's position to the moment, rewritten to the scratch database.
    Its one line is the replay's marker (files with sha256, positions, event count). Nothing
    of the target changes: undoing the scratch database's shadow_prepare removes it all."""

    def run(self, ctx: RunContext, step: Step) -> str | None:
        ctx.services.replay_binlogs(ctx, step)
        return step.object

    def undo(self, ctx: RunContext, step: Step, artifact: str | None) -> None:
        """Nothing: the scratch database goes with the undo of shadow_prepare."""


class ShadowLoad(StepKind):
    """Rows streamed into the scratch database, masked and checked there (plan/replace.py
    explains the swap). Its first line is the load's marker (`Load`), the rest the mask
    UPDATEs, which run on the scratch copy only."""

    def run(self, ctx: RunContext, step: Step) -> str | None:
        from mrpplan.mysql import shadow
        from mrpplan.mysql.connection import session
        from mrpplan.plan.load import Load

        marker, *mask_sql = step.sql
        load = Load.from_marker(marker)
        scratch = step.object
        target = ctx.env.connection.database
        with session(ctx.env.connection, database=scratch) as work:
            if load.definitions == "live":
                shadow.copy_definitions(work, target, [*load.tables, *load.empty])
            ctx.services.stream_load(ctx, load, scratch)
            shadow.drop_non_tables(work, scratch)
            shadow.anchor_foreign_keys(work, scratch, target)
            missing = sorted(set(load.tables) - set(shadow.tables_of(work, scratch)))
            if missing:
                raise MrpplanError(f"the load did not create table(s) {', '.join(missing)}")
            with work.cursor() as cur:
                for statement in mask_sql:
                    cur.execute(statement)
            ctx.services.check_load(ctx, load, scratch)
        return scratch

    def undo(self, ctx: RunContext, step: Step, artifact: str | None) -> None:
        """The scratch database goes; the target was never touched."""
        from mrpplan.mysql import shadow

        shadow.drop_database(ctx.conn, step.object)


class OnlineAlter(StepKind):
    """One ALTER run by the online schema change tool (DESIGN §3.8).

    Forward: the tool runs the step's ALTER (its clauses, checked against the step's
    table); the old table is kept as the route's trash table. Undo: the same tool runs the
    inverse ALTER, so rows written meanwhile are kept. After a kill: the tool's triggers
    and `_t_new` go and the original table is untouched. Nothing of the tool's command
    line comes from the plan file but the ALTER text; throttling is the policy's."""

    def problem(self, step: Step) -> str | None:
        from mrpplan.mysql import online_alter

        route = step.online
        if route is None:
            return "it has no online route"
        if route.tool != online_alter.TOOL:
            return f"its tool is {route.tool!r}, not {online_alter.TOOL}"
        if route.foreign_keys not in online_alter.FK_METHODS:
            return f"foreign key method {route.foreign_keys!r} is not one mrpplan uses"
        if route.trash is not None and not route.trash.startswith("_mrpplan_trash_"):
            return f"its old table would be kept as {route.trash!r}, not as a trash table"
        if len(step.sql) != 1 or (step.reverse_sql is not None and len(step.reverse_sql) != 1):
            return "an online step is exactly one ALTER TABLE and its inverse"
        try:
            for statement in (*step.sql, *(step.reverse_sql or ())):
                online_alter.alter_clauses(statement, step.object)
        except ValueError as exc:
            return str(exc)
        return None

    def spec(self, ctx: RunContext, step: Step, *, undo: bool = False) -> Any:
        """What the tool is asked to do for `step` (forward, or its undo)."""
        from mrpplan.mysql import online_alter

        problem = self.problem(step)
        if problem or step.online is None:
            raise MrpplanError(f"step {step.id} ({step.action} {step.object}): {problem}")
        policy = ctx.env.policy.online_schema_change or OnlineSchemaChange()
        if undo and step.reverse_sql is None:
            raise MrpplanError(f"step {step.id} ({step.object}) has no inverse ALTER to run")
        statement = step.reverse_sql[0] if undo and step.reverse_sql else step.sql[0]
        return online_alter.OnlineAlter(
            database=ctx.env.connection.database,
            table=step.object,
            alter=online_alter.alter_clauses(statement, step.object),
            foreign_keys=step.online.foreign_keys,
            max_lag=policy.max_lag,
            max_threads_running=policy.max_threads_running,
            keep_old_as=None if undo else step.online.trash,
            max_flow_ctl=step.online.max_flow_ctl,
        )

    def run(self, ctx: RunContext, step: Step) -> str | None:
        from mrpplan.mysql import online_alter

        spec = self.spec(ctx, step)
        online_alter.run_online_alter(
            ctx.env.connection, ctx.conn, spec, say=ctx.progress, sleep=_test_sleep()
        )
        return str(spec.keep_old_as) if spec.keep_old_as else None

    def undo(self, ctx: RunContext, step: Step, artifact: str | None) -> None:
        from mrpplan.mysql import online_alter

        spec = self.spec(ctx, step, undo=True)
        ctx.progress(f"undoing {step.object} online: the inverse ALTER with {online_alter.TOOL}")
        online_alter.run_online_alter(ctx.env.connection, ctx.conn, spec, say=ctx.progress)

    def interrupted(self, ctx: RunContext, step: Step) -> bool | None:
        """Remove the tool's triggers and new table; True when the swap had happened (the
        old table is there): then the children are re-pointed, the names given back and
        the old table kept as the trash table, as after a normal run."""
        from mrpplan.mysql import online_alter, online_swap

        database = ctx.env.connection.database
        removed = online_alter.clear_leftovers(ctx.conn, database, step.object)
        if removed:
            ctx.progress(f"removed what {online_alter.TOOL} left: {', '.join(removed)}")
        olds = online_alter.old_tables(ctx.conn, database, step.object)
        if not olds:
            # killed before the swap (the original is untouched), or after everything but
            # the journal's `done` (the trash table is there): then it took effect
            trash = step.online.trash if step.online else None
            return bool(trash) and online_alter.table_exists(ctx.conn, database, str(trash))
        spec = self.spec(ctx, step)
        online_swap.settle(ctx.conn, database, step.object, olds[-1], spec.keep_old_as)
        return True


def _test_sleep() -> float:
    from mrpplan.mysql import online_alter

    try:
        return float(os.environ.get(online_alter.TEST_SLEEP, "0") or 0)
    except ValueError:
        return 0.0


# ------------------------------------------------------------------------------ the list

CREATE_TABLE = StepKind("create_table", summary="add")
ALTER_TABLE = StepKind("alter_table", touches_data=True)
DROP_TABLE = StepKind("drop_table", summary="destroy")
CREATE_VIEW = StepKind("create_view", summary="add")
DROP_VIEW = StepKind("drop_view", summary="destroy")
REPLACE_VIEW = StepKind("replace_view")
_ROUTINES = ("procedure", "function", "trigger", "event")
CREATE_ROUTINE = {r: StepKind(f"create_{r}", summary="add") for r in _ROUTINES}
DROP_ROUTINE = {r: StepKind(f"drop_{r}", summary="destroy") for r in _ROUTINES}
# a table mrpplan cannot model changed: shown with the reason, never run
UNSUPPORTED_TABLE = StepKind("unsupported_table", never_runs=True)
CREATE_DATABASE = CreateDatabase("create_database", summary="add")
# purges a trash database (`backup --cleanup`)
DROP_DATABASE = StepKind("drop_database", summary="destroy", moves_shadow=True)
MIGRATE_UP = AuthorSql("migrate_up", counts_effects=True, dynamic_when_checkpointed=True)
MIGRATE_DOWN = replace(MIGRATE_UP, action="migrate_down")
# `seed refresh`: the tables the seeds write are emptied (checkpointed) first
EMPTY_TABLES = StepKind(
    "empty_tables", destructive_counts=True, counts_effects=True, writes_rows=True
)
RECORD_HISTORY = StepKind("record_history", summary="none", writes_rows=True)
SHADOW_PREPARE = StepKind("shadow_prepare", summary="none", moves_shadow=True)
SHADOW_LOAD = ShadowLoad("shadow_load", summary="data", destructive_counts=True, writes_rows=True)
BINLOG_REPLAY = BinlogReplay("binlog_replay")
SWAP_TABLES = StepKind("swap_tables", summary="data", destructive_counts=True, moves_shadow=True)
# a restore moves a table the backup lacks to its trash database
TRASH_TABLE = StepKind("trash_table", summary="destroy", moves_shadow=True)
CHECKPOINT = Checkpoint("checkpoint", summary="none", payload_type=CheckpointTables)
SEED = Seed("seed", summary="data")
ONLINE_ALTER = OnlineAlter("online_alter", payload_type=OnlineRoute, noun="an online schema change")

KINDS: dict[str, StepKind] = {
    kind.action: kind
    for kind in (
        CREATE_TABLE,
        ALTER_TABLE,
        DROP_TABLE,
        CREATE_VIEW,
        DROP_VIEW,
        REPLACE_VIEW,
        *CREATE_ROUTINE.values(),
        *DROP_ROUTINE.values(),
        UNSUPPORTED_TABLE,
        CREATE_DATABASE,
        DROP_DATABASE,
        MIGRATE_UP,
        MIGRATE_DOWN,
        EMPTY_TABLES,
        RECORD_HISTORY,
        SHADOW_PREPARE,
        SHADOW_LOAD,
        BINLOG_REPLAY,
        SWAP_TABLES,
        TRASH_TABLE,
        CHECKPOINT,
        SEED,
        ONLINE_ALTER,
    )
}


def drop_kind(object_kind: str) -> StepKind:
    """The kind dropping a VIEW, PROCEDURE, FUNCTION, TRIGGER or EVENT."""
    return KINDS[f"drop_{object_kind.lower()}"]


def create_kind(object_kind: str) -> StepKind:
    """The kind creating a VIEW, PROCEDURE, FUNCTION, TRIGGER or EVENT."""
    return KINDS[f"create_{object_kind.lower()}"]


def kind_named(action: str) -> StepKind | None:
    """The kind a plan file's `action` names (None: no kind of this mrpplan)."""
    return KINDS.get(action)
