"""The hook through which each area contributes steps to a plan.

The planner asks, in order:
  1. the *schema* providers (newest registration first) until one returns steps instead of
     None; the built-in declarative converge (`schema_steps.declarative_steps`) is the last
     resort. Migrations register here to turn history into migrate_up/migrate_down steps.
  2. every *data* provider, in registration order (seeds, then sync), each adding steps.
Providers return `StepDraft`s; the planner numbers them, puts checkpoints in front of the
ones that can lose data and history-recording steps at the end.

Usage from another area (e.g. mrpplan/seed/plan_steps.py):

    from mrpplan.plan.providers import PlanContext, StepDraft, register_step_provider

    def seed_steps(ctx: PlanContext) -> list[StepDraft]:
        ...
        ctx.desired_seed_history.add((seed.name, seed.checksum))
        return [StepDraft("seed", seed.name, sql=..., reverse_sql=None, tables=(...))]

    register_step_provider("data", seed_steps, name="seeds")

The module is imported by the planner if it is listed in PROVIDER_MODULES.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mrpplan.config import Environment, Project
from mrpplan.mysql.connection import Session
from mrpplan.mysql.flavor import Flavor
from mrpplan.plan.fingerprint import DatabaseState
from mrpplan.plan.types import Step

# Modules that register providers when imported (missing ones are skipped).
PROVIDER_MODULES = (
    "mrpplan.migrate.plan_steps",
    "mrpplan.seed.plan_steps",
    "mrpplan.sync.plan_steps",
)


@dataclass(frozen=True)
class StepDraft:
    """A step before numbering. `tables`: tables whose data it touches (for checkpoints);
    `needs_checkpoint`: its reverse SQL alone cannot bring the data back;
    `history`: True for steps that only record history (they go last)."""

    action: str
    object: str
    sql: tuple[str, ...] = ()
    reverse_sql: tuple[str, ...] | None = ()
    destructive: bool = False
    reason: str = ""
    algorithm: str = "n/a"
    tables: tuple[str, ...] = ()
    needs_checkpoint: bool = False
    history: bool = False
    changes: tuple[dict[str, Any], ...] = ()
    lock: str = "n/a"
    online: dict[str, Any] = field(default_factory=dict)
    # diff.preflight.PreflightCheck: what the live rows must allow (not part of the Step:
    # the plan records the checks with their results, `Plan.preflight`)
    preflight: tuple[Any, ...] = ()

    def to_step(self, step_id: str, checkpoint: str | None = None) -> Step:
        """The numbered step this draft becomes."""
        return Step(
            id=step_id,
            action=self.action,
            object=self.object,
            sql=tuple(self.sql),
            reverse_sql=None if self.reverse_sql is None else tuple(self.reverse_sql),
            destructive=self.destructive,
            reason=self.reason,
            algorithm=self.algorithm,
            checkpoint=checkpoint,
            changes=tuple(self.changes),
            lock=self.lock,
            online=dict(self.online),
        )


@dataclass(frozen=True)
class Scope:
    """Which parts of an environment a plan covers (what the command asked for).

    `schema`: converge the schema to the target version; `data`: the data providers to ask
    (None: all of them); `seeds`: seeds/sets instead of the environment's list; `force_seeds`:
    re-run seeds whose checksum is recorded; `fresh`: first move everything that exists to
    trash tables, then build from an empty database (`migrate fresh`); `refresh`: empty the
    tables the seeds write (checkpointed) before the seeds run (`seed refresh`); `baseline`:
    record the target version as applied to a database that has its schema and no history.
    """

    schema: bool = True
    data: tuple[str, ...] | None = None
    seeds: tuple[str, ...] | None = None
    force_seeds: bool = False
    fresh: bool = False
    refresh: bool = False
    baseline: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "data": None if self.data is None else list(self.data),
            "seeds": None if self.seeds is None else list(self.seeds),
            "force_seeds": self.force_seeds,
            "fresh": self.fresh,
            "refresh": self.refresh,
            "baseline": self.baseline,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scope:
        def names(value: Any) -> tuple[str, ...] | None:
            return None if value is None else tuple(str(v) for v in value)

        return cls(
            schema=bool(data.get("schema", True)),
            data=names(data.get("data")),
            seeds=names(data.get("seeds")),
            force_seeds=bool(data.get("force_seeds", False)),
            fresh=bool(data.get("fresh", False)),
            refresh=bool(data.get("refresh", False)),
            baseline=bool(data.get("baseline", False)),
        )


@dataclass
class PlanContext:
    """Everything a provider may look at, and the history the plan will leave behind.

    Providers that write history rows add them to `desired_schema_history` /
    `desired_seed_history` (and remove the ones they delete) so the plan's desired
    fingerprint is right; a mismatch after apply is reported as an error.
    """

    project: Project
    env: Environment
    conn: Session  # open PyMySQL connection to the environment's database (read only here)
    flavor: Flavor
    live: DatabaseState
    target_version: str  # as written ("latest", "003", ...)
    target_number: int  # resolved migration number (0 = base schema only)
    desired_schema: Any  # model Schema at the target version
    timestamp: str  # the plan's UTC timestamp (compact), e.g. for trash table names
    desired_schema_history: set[tuple[str, str]] = field(default_factory=set)
    desired_seed_history: set[tuple[str, str]] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    desired_version_label: str | None = None
    scope: Scope = field(default_factory=Scope)

    def warn(self, message: str) -> None:
        self.warnings.append(message)


SchemaProvider = Callable[[PlanContext], Sequence[StepDraft] | None]
DataProvider = Callable[[PlanContext], Sequence[StepDraft]]


@dataclass
class _Registry:
    schema: list[tuple[str, SchemaProvider]] = field(default_factory=list)
    data: list[tuple[str, DataProvider]] = field(default_factory=list)
    loaded: bool = False


_REGISTRY = _Registry()


def register_step_provider(
    phase: str, provider: Callable[[PlanContext], Any], *, name: str
) -> None:
    """Add a provider to phase "schema" or "data" (re-registering a name replaces it)."""
    if phase not in ("schema", "data"):
        raise ValueError(f"unknown provider phase {phase!r} (schema | data)")
    entries: list[tuple[str, Any]] = getattr(_REGISTRY, phase)
    entries[:] = [(n, p) for n, p in entries if n != name]
    entries.append((name, provider))


def schema_providers() -> list[tuple[str, SchemaProvider]]:
    """Newest first: the first to return steps wins."""
    _load_modules()
    return list(reversed(_REGISTRY.schema))


def data_providers() -> list[tuple[str, DataProvider]]:
    _load_modules()
    return list(_REGISTRY.data)


def _load_modules() -> None:
    if _REGISTRY.loaded:
        return
    _REGISTRY.loaded = True
    for module in PROVIDER_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if not exc.name or not (module == exc.name or module.startswith(exc.name + ".")):
                raise
