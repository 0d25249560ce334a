"""Plans that replace table data (restore, sync pull/clone, sync steps): load, then swap.

Three steps, whatever the data comes from (mysql/shadow.py explains the mechanism):

  shadow_prepare  CREATE DATABASE `_mrpplan_load_<ts>_<db>` (reverse: DROP DATABASE)
  shadow_load     -- mrpplan:load {"kind": "backup" | "sync", ...}
                                            UPDATE `customers` SET ... (mask rules, on the copy)
      the runner streams the rows into the scratch database, runs the mask UPDATEs there
      and proves no source value of a masked column is left. Nothing of the target is
      touched; a kill here is undone by dropping the scratch database (shadow_prepare).
  swap_tables     one RENAME TABLE: live tables to the trash database, shadow tables in; keys
      of kept tables re-pointed; the scratch database dropped. Its reverse SQL is the
      opposite RENAME, so rollback (also by `recover` after a kill) is a rename.

The replaced rows stay in `_mrpplan_trash_<ts>_<db>` until `backup --cleanup` purges it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mrpplan.config import Environment
from mrpplan.mysql.connection import Session, server_version
from mrpplan.mysql.flavor import Flavor
from mrpplan.mysql.quote import ident
from mrpplan.plan import kinds
from mrpplan.plan.fingerprint import DatabaseState, state_fingerprint
from mrpplan.plan.load import Load
from mrpplan.plan.types import Desired, Finding, Plan, Prior, Step, Target

if TYPE_CHECKING:
    from mrpplan.mysql import shadow


def replace_drafts(
    swap: shadow.Swap,
    load: Load,
    *,
    charset: tuple[str, str],
    mask_sql: Sequence[str] = (),
    what: str,
    rows: int,
    objects: ObjectChanges | None = None,
) -> list[Step]:
    """The shadow_prepare, shadow_load and swap_tables steps of one replacement."""
    from mrpplan.mysql import shadow  # a plan that replaces tables

    objects = objects or ObjectChanges()
    forward, reverse = shadow.swap_statements(swap, objects.before, objects.after)
    create = (
        f"CREATE DATABASE {ident(swap.scratch)} CHARACTER SET {charset[0]} COLLATE {charset[1]}"
    )
    masked = ", ".join(f"{t}.{c} ({r})" for t, cols in load.masked.items() for c, r in cols.items())
    kept = [fk.table for fk in swap.repointed]
    parts = [f"{len(swap.replaced)} replaced"]
    if swap.created:
        parts.append(f"{len(swap.created)} created ({', '.join(swap.created)})")
    if swap.dropped:
        parts.append(f"{len(swap.dropped)} dropped ({', '.join(swap.dropped)})")
    return [
        Step(
            kind=kinds.SHADOW_PREPARE,
            object=swap.scratch,
            sql=(create,),
            reverse_sql=(f"DROP DATABASE IF EXISTS {ident(swap.scratch)}",),
            reason=f"create the scratch database {swap.scratch} (a rollback drops it)",
        ),
        Step(
            kind=kinds.SHADOW_LOAD,
            object=swap.scratch,
            sql=(load.marker(), *mask_sql),
            reverse_sql=None,
            reason=f"load {what} (about {rows:,} rows) into the scratch database "
            f"{swap.scratch}; nothing in {swap.database} changes yet"
            + (f"; mask {masked} there, before anything is visible" if masked else ""),
        ),
        Step(
            kind=kinds.SWAP_TABLES,
            object=", ".join((*swap.replaced, *swap.created, *swap.dropped)),
            sql=forward,
            reverse_sql=reverse,
            reason=f"one RENAME TABLE swaps the loaded tables in ({'; '.join(parts)}); the "
            f"replaced tables move to {swap.trash} (kept until `backup --cleanup` purges it)"
            + (f"; foreign keys of {', '.join(sorted(set(kept)))} re-pointed" if kept else ""),
        ),
    ]


@dataclass(frozen=True)
class ObjectChanges:
    """Views, routines and triggers that come with the tables (a RENAME moves only tables)."""

    before: tuple[shadow.Pair, ...] = ()
    after: tuple[shadow.Pair, ...] = ()
    schema: Any = None  # the target's schema after the swap (None: tables only change)


def object_changes(
    live: Any, incoming: Any, moved: Sequence[str], *, exact: bool = False, events: bool = False
) -> ObjectChanges:
    """Triggers of moved tables are dropped first (they cannot change database) and the
    incoming ones created after; incoming views and routines (and `events`: a backup holds
    them) replace differing ones, and with `exact` (a whole-database copy) the ones
    `incoming` lacks are dropped."""
    from mrpplan.model.schema import Schema

    gone = set(moved)
    before: list[shadow.Pair] = []
    after: list[shadow.Pair] = []
    triggers = dict(live.triggers)
    for name, trig in sorted(live.triggers.items()):
        if trig.table in gone:
            before.append((f"DROP TRIGGER {ident(name)}", trig.canonical))
            del triggers[name]
    for name, trig in sorted(incoming.triggers.items()):
        if trig.table in gone and name not in triggers:
            after.append((trig.canonical, f"DROP TRIGGER {ident(name)}"))
            triggers[name] = trig
    sections: dict[str, dict[str, Any]] = {}
    kinds = (("views", "VIEW"), ("routines", None), *((("events", "EVENT"),) if events else ()))
    for section, word in kinds:
        merged = dict(getattr(live, section))
        for name, old in sorted(getattr(live, section).items()):
            if exact and name not in getattr(incoming, section):
                kind = word or old.kind
                after.append((f"DROP {kind} IF EXISTS {ident(name)}", old.canonical))
                del merged[name]
        for name, obj in sorted(getattr(incoming, section).items()):
            old = merged.get(name)
            if old is not None and old.canonical == obj.canonical:
                continue
            kind = word or obj.kind
            if old is not None:
                after.append((f"DROP {kind} IF EXISTS {ident(name)}", old.canonical))
            after.append((obj.canonical, f"DROP {kind} IF EXISTS {ident(name)}"))
            merged[name] = obj
        sections[section] = merged
    schema = Schema(
        tables=live.tables,
        views=sections["views"],
        routines=sections["routines"],
        triggers=triggers,
        events=sections.get("events", live.events),
    )
    return ObjectChanges(tuple(before), tuple(after), schema)


def number(drafts: Sequence[Step]) -> tuple[Step, ...]:
    """Steps of a replacement plan: no checkpoint steps (the trash holds the old rows)."""
    return tuple(d.numbered(str(i)) for i, d in enumerate(drafts, start=1))


def desired_state(
    live: DatabaseState,
    incoming: DatabaseState,
    tables: Sequence[str],
    dropped: Sequence[str] = (),
    objects: ObjectChanges | None = None,
) -> str:
    """The fingerprint after the swap: live, with `tables` as `incoming` has them (and the
    views, routines and triggers of `objects`)."""
    from mrpplan.model.schema import Schema
    from mrpplan.plan.live import SCHEMA_HISTORY, SEED_HISTORY

    others = objects.schema if objects is not None and objects.schema is not None else live.schema
    merged = {n: t for n, t in live.schema.tables.items() if n not in dropped}
    merged.update({t: incoming.schema.tables[t] for t in tables if t in incoming.schema.tables})
    schema = Schema(
        tables=merged,
        views=others.views,
        routines=others.routines,
        triggers=others.triggers,
        events=others.events,
    )
    schema_rows = incoming.schema_history if SCHEMA_HISTORY in tables else live.schema_history
    seed_rows = incoming.seed_history if SEED_HISTORY in tables else live.seed_history
    if SCHEMA_HISTORY in dropped:
        schema_rows = frozenset()
    if SEED_HISTORY in dropped:
        seed_rows = frozenset()
    return state_fingerprint(schema.fingerprint(), schema_rows, seed_rows)


def make_replace_plan(
    env: Environment,
    conn: Session,
    *,
    now: datetime,
    prior: DatabaseState,
    drafts: Sequence[Step],
    desired_fingerprint: str,
    origin: Mapping[str, Any],
    warnings: Sequence[str] = (),
    version: str | None = None,
) -> Plan:
    """Assemble a restore or sync plan the way the planner assembles its plans (`version`:
    the schema version after it, when it changes it)."""
    return assemble(
        env,
        server_version(conn),
        now=now,
        prior=prior,
        desired=Desired(version or prior.schema_version, "", desired_fingerprint),
        steps=number(drafts),
        warnings=warnings,
        origin=origin,
    )


def assemble(
    env: Environment,
    version_text: str,
    *,
    now: datetime,
    prior: DatabaseState,
    desired: Desired,
    steps: tuple[Step, ...],
    warnings: Sequence[str],
    origin: Mapping[str, Any],
    preflight: tuple[Finding, ...] = (),
) -> Plan:
    """The one assembly of a plan (the planner's, a restore's, a sync's): where it runs
    (never credentials), when, and the state it was computed from."""
    settings = env.connection
    return Plan(
        environment=env.name,
        target=Target(
            host=settings.host or settings.socket or "",
            port=settings.port,
            database=settings.database,
            flavor=Flavor.parse(version_text).name,
            server_version=version_text,
        ),
        created_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        prior=Prior(prior.fingerprint, prior.schema_version, prior.seeds),
        desired=desired,
        steps=steps,
        prior_objects=dict(prior.objects),
        warnings=tuple(warnings),
        preflight=preflight,
        origin=dict(origin),
    )


def timestamp(now: datetime) -> str:
    return now.strftime("%Y%m%d%H%M%S")
