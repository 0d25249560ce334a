"""What step producers see and return: `PlanContext` in, draft `Step`s (no id) out.

The planner asks, in order:
  1. the *schema* producers of its `Wiring` until one returns steps instead of None; the
     built-in declarative converge (`schema_steps.declarative_steps`) is the last resort.
     Migrations turn history into migrate_up/migrate_down steps this way.
  2. every *data* producer, in order (seeds, then sync), each adding steps.
The planner numbers the drafts, puts checkpoints in front of the ones that can lose data
and history-recording steps at the end. Producers are listed in mrpplan/wiring.py,
never registered by importing a module:

    def seed_steps(ctx: PlanContext) -> list[Step]:
        ctx.desired_seed_history.add((seed.name, seed.checksum))
        return [Step(kinds.SEED, seed.name, sql=..., reverse_sql=None, tables=(...))]
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mrpplan.config import Environment, Project
from mrpplan.mysql.connection import Session
from mrpplan.mysql.flavor import Flavor
from mrpplan.plan.fingerprint import DatabaseState
from mrpplan.plan.kinds import StepServices
from mrpplan.plan.types import Step

if TYPE_CHECKING:
    from mrpplan.plan.rebuild import Builder


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
    # the model Schema at the target version, built when first asked for: a plan that
    # traces pending migrations builds it along the way (its chain ends there), so asking
    # later finds it in the cache instead of building the whole schema once more
    desired: Callable[[], Any]
    timestamp: str  # the plan's UTC timestamp (compact), e.g. for trash table names
    desired_schema_history: set[tuple[str, str]] = field(default_factory=set)
    desired_seed_history: set[tuple[str, str]] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    desired_version_label: str | None = None
    scope: Scope = field(default_factory=Scope)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    @functools.cached_property
    def desired_schema(self) -> Any:
        return self.desired()


SchemaProvider = Callable[[PlanContext], Sequence[Step] | None]
DataProvider = Callable[[PlanContext], Sequence[Step]]


@dataclass(frozen=True)
class Wiring:
    """What making and applying plans needs from the packages above `plan` (migrations,
    seeds, sync, backups): passed in by the command, listed once in mrpplan/wiring.py,
    so `plan` and `apply` import none of them and nothing registers itself on import.

    `schema_providers`: the first to return steps wins; `builders`: how `apply` makes each
    kind of plan again (`origin["builder"]`); `services`: what step kinds' hooks need."""

    schema_providers: tuple[tuple[str, SchemaProvider], ...]
    data_providers: tuple[tuple[str, DataProvider], ...]
    builders: Mapping[str, Builder]
    services: StepServices
