"""What a plan is, as plain data: the steps and what they were computed from.

Only `planfile` knows how this looks on disk; everything else handles these objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from mrpplan import __version__
from mrpplan.plan.kinds import CheckpointTables, OnlineRoute, Payload, StepKind

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Step:
    """One unit of work: a kind (plan/kinds.py) with its statements, their reverse, why it
    is there, and the kind's payload. A step without an `id` is a draft: what producers
    return and the planner numbers (`numbered`).

    `reverse_sql` is None when the step cannot be undone by SQL (its checkpoint brings the
    data back). For a step with several statements, reverse_sql[j] undoes sql[n-1-j] when
    both lists have the same length, so a partly-run step can be undone partly.
    """

    kind: StepKind
    object: str
    sql: tuple[str, ...] = ()
    reverse_sql: tuple[str, ...] | None = ()
    destructive: bool = False
    reason: str = ""
    algorithm: str = "n/a"
    checkpoint: str | None = None
    # declarative steps: the schema engine's changes as plain data (type and fields)
    changes: tuple[Mapping[str, Any], ...] = ()
    # the weakest LOCK= the step's ALTER takes: none | shared | exclusive | n/a
    lock: str = "n/a"
    payload: Payload = None  # the kind's `payload_type`
    id: str = ""  # "" while a draft
    # What the planner needs of a draft; never in the plan file. `tables`: tables whose
    # data it touches (for checkpoints); `needs_checkpoint`: its reverse SQL alone cannot
    # bring the data back; `history`: it only records history (goes last); `preflight`:
    # diff.preflight.PreflightCheck, what the live rows must allow (the plan records the
    # checks with their results, `Plan.preflight`).
    tables: tuple[str, ...] = field(default=(), compare=False)
    needs_checkpoint: bool = field(default=False, compare=False)
    history: bool = field(default=False, compare=False)
    preflight: tuple[Any, ...] = field(default=(), compare=False)

    @property
    def action(self) -> str:
        """The kind's name, as the plan file writes it."""
        return self.kind.action

    @property
    def summary_kind(self) -> str:
        """add | change | destroy | data | none (bookkeeping steps are not counted)."""
        return self.kind.summary_of(self.destructive)

    @property
    def checkpoint_tables(self) -> tuple[str, ...]:
        """For a checkpoint step: the tables it saves."""
        return self.payload.tables if isinstance(self.payload, CheckpointTables) else ()

    @property
    def online(self) -> OnlineRoute | None:
        """For an online_alter step: how the tool runs it."""
        return self.payload if isinstance(self.payload, OnlineRoute) else None

    def numbered(self, step_id: str, checkpoint: str | None = None) -> Step:
        """The numbered step this draft becomes."""
        return replace(self, id=step_id, checkpoint=checkpoint)


@dataclass(frozen=True)
class Target:
    """Which server and database the plan is for (never credentials)."""

    host: str
    port: int | None
    database: str
    flavor: str
    server_version: str


@dataclass(frozen=True)
class Prior:
    """What the plan was computed from."""

    fingerprint: str
    schema_version: str | None
    seeds: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Desired:
    """What the database is after the plan is applied."""

    schema_version: str | None
    source_digest: str
    fingerprint: str


@dataclass(frozen=True)
class Summary:
    """The counts a plan's header shows."""

    add: int = 0
    change: int = 0
    destroy: int = 0
    data: int = 0

    @classmethod
    def of(cls, steps: tuple[Step, ...] | list[Step]) -> Summary:
        counts = {"add": 0, "change": 0, "destroy": 0, "data": 0}
        for step in steps:
            effects = [c["effect"] for c in step.changes if c.get("type") == "ObjectEffect"]
            if effects and step.kind.counts_effects:
                for effect in effects:  # a migration: what its SQL did, object by object
                    counts[effect] += 1
                if step.destructive and "destroy" not in effects:
                    counts["destroy"] += 1  # it loses data somewhere the objects do not show
            elif step.summary_kind in counts:
                counts[step.summary_kind] += 1
        return cls(**counts)

    @property
    def total(self) -> int:
        return self.add + self.change + self.destroy + self.data

    def line(self) -> str:
        text = f"Plan: {self.add} to add, {self.change} to change, {self.destroy} to destroy"
        if self.data:
            text += f", {self.data} data step{'s' if self.data != 1 else ''}"
        return text + "."


@dataclass(frozen=True)
class Finding:
    """One pre-flight check of a step on one database (issue 25): `check` is the check's
    record (`diff.preflight.PreflightCheck.record`); `status` passed | failed | not checked;
    `offenders` None when not checked (`note` says why); `samples`: up to 5 (key values,
    rows sharing them: duplicates only)."""

    step: str
    check: Mapping[str, Any]
    database: str
    status: str
    offenders: int | None = None
    samples: tuple[tuple[tuple[str | None, ...], int | None], ...] = ()
    note: str = ""

    @property
    def failed(self) -> bool:
        return self.status == "failed"


@dataclass(frozen=True)
class Plan:
    """A reviewed unit of change for one environment."""

    environment: str
    target: Target
    created_at: str
    prior: Prior
    desired: Desired
    steps: tuple[Step, ...]
    # per-object digests of the prior schema: names what changed when the plan is stale
    prior_objects: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    # how the plan was asked for: `apply` builds it again from this and compares (§3.7)
    origin: Mapping[str, Any] = field(default_factory=dict)
    # pre-flight checks run on the live rows for the steps that need them (issue 25)
    preflight: tuple[Finding, ...] = ()
    mrpplan_version: str = __version__
    format_version: int = FORMAT_VERSION
    seal: str = ""  # "sha256" | "hmac-sha256" (keyed by MRPPLAN_PLAN_KEY)
    digest: str = ""

    @property
    def keyed(self) -> bool:
        return self.seal == "hmac-sha256"

    @property
    def summary(self) -> Summary:
        return Summary.of(self.steps)

    @property
    def has_changes(self) -> bool:
        return bool(self.steps)

    @property
    def destructive_steps(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.destructive)

    def step(self, step_id: str) -> Step:
        for candidate in self.steps:
            if candidate.id == step_id:
                return candidate
        raise KeyError(step_id)
