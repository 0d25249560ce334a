"""The trash purge of `backup --cleanup ENV` as a plan (DESIGN §3.6).

Trash tables (`_mrpplan_trash_<ts>_<table>`) hold what a drop, a `migrate fresh` or a
migration's DROP TABLE took out of the schema; the retention period says how long they
stay. Purging one is the moment its rows are really lost, so each is a destructive step
of its own, shown before anyone approves it, under the same lock, approval rule and
policy as every other write. Nothing can undo it (no reverse SQL): the plan says so.

Deterministic given the database and the plan's timestamp: which tables are due is decided
from the time in their names against `now - retention_days`, so `apply FILE` rebuilds
exactly the same steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from mrpplan.config import Environment, Project
from mrpplan.mysql.connection import session
from mrpplan.mysql.quote import ident
from mrpplan.mysql.shadow import TRASH_PREFIX, shadow_databases
from mrpplan.mysql.table_stats import base_tables
from mrpplan.plan import kinds
from mrpplan.plan.providers import Wiring
from mrpplan.plan.types import Plan, Step

BUILDER = "purge_trash"


def trash_made_at(name: str) -> datetime | None:
    """When a trash table was made (from its name); None for any other table."""
    from mrpplan.backup.retention import TRASH

    found = TRASH.match(name)
    if not found:
        return None
    made = datetime.strptime(found.group(1) + found.group(2), "%Y%m%d%H%M%S")
    return made.replace(tzinfo=UTC)


def purge_plan(
    project: Project,
    env: Environment,
    retention_days: int,
    now: datetime | None = None,
    *,
    wiring: Wiring,
) -> Plan:
    """One destructive `drop_table` step per trash table older than the retention."""
    from mrpplan.plan.planner import make_plan
    from mrpplan.plan.providers import Scope

    base = make_plan(project, env, wiring=wiring, now=now, scope=Scope(schema=False, data=()))
    moment = datetime.strptime(base.created_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    cutoff = moment - timedelta(days=retention_days)
    steps = [
        _purge_step(str(i + 1), name, made, retention_days, database=is_database)
        for i, (name, made, is_database) in enumerate(_due(env, cutoff))
    ]
    return replace(
        base,
        steps=tuple(steps),
        origin={"builder": BUILDER, "retention_days": retention_days},
    )


def due_trash(env: Environment, retention_days: int) -> list[str]:
    """Trash tables past retention now (a quick look before planning: the plan decides)."""
    cutoff = datetime.now(UTC) - timedelta(days=retention_days)
    return [name for name, _made, _db in _due(env, cutoff)]


def _due(env: Environment, cutoff: datetime) -> list[tuple[str, datetime, bool]]:
    """Trash tables in the database, then the trash databases its restores and syncs left
    (`_mrpplan_trash_<ts>_<db>`): (name, made, is a database), oldest rules by name."""
    with session(env.connection) as conn:
        names = base_tables(conn, env.connection.database)
        databases = shadow_databases(conn, env.connection.database, TRASH_PREFIX)
    due = []
    for name in sorted(names):
        made = trash_made_at(name)
        if made is not None and made <= cutoff:  # retention 0: everything, this second too
            due.append((name, made, False))
    for name in databases:
        stamp = name[len(TRASH_PREFIX) :][:14]
        made = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        if made <= cutoff:
            due.append((name, made, True))
    return due


def _purge_step(step_id: str, name: str, made: datetime, days: int, *, database: bool) -> Step:
    what = "trash database" if database else "trash table"
    return Step(
        id=step_id,
        kind=kinds.DROP_DATABASE if database else kinds.DROP_TABLE,
        object=name,
        # a trash table may still be referenced by another trash table's foreign key
        sql=(
            "SET SESSION foreign_key_checks = 0",
            f"DROP {'DATABASE' if database else 'TABLE'} {ident(name)}",
            "SET SESSION foreign_key_checks = 1",
        ),
        reverse_sql=None,
        destructive=True,
        reason=f"purge {what} {name} (made {made:%Y-%m-%d %H:%M} UTC, past the "
        f"{days}-day retention): its rows are gone for good, nothing can undo this",
    )


def build_again(
    project: Project, env: Environment, origin: Mapping[str, Any], now: datetime, wiring: Wiring
) -> Plan:
    """The builder `apply` makes this plan again with (plan/rebuild.py)."""
    return purge_plan(project, env, int(origin.get("retention_days", 0)), now, wiring=wiring)
