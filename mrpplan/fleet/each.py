"""Run one single-database function on every member of a fleet, `fleet.parallel` at a time.

For the commands that read or back up each database (drift, status, migrate status,
backup, recover): one database's failure is its result, never the others' end.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

from mrpplan.config import Environment
from mrpplan.errors import MrpplanError
from mrpplan.fleet.counter import Counter
from mrpplan.fleet.members import Member, expand

T = TypeVar("T")


@dataclass(frozen=True)
class Each(Generic[T]):
    """One member's result, or the error that stopped it there."""

    member: Member
    result: T | None
    error: MrpplanError | None
    label: str  # the database, with its server when the fleet has several


def for_each(
    env: Environment,
    work: Callable[[Environment], T],
    *,
    progress: Callable[[str], None] | None = None,
) -> list[Each[T]]:
    """`work(member_env)` for every database of the fleet, in member order."""
    members = expand(env)
    several = len(env.servers) > 1
    total = len(members)
    counter = Counter()

    def one(member: Member) -> Each[T]:
        label = member.key if several else member.database
        try:
            outcome = Each(member, work(member.env), None, label)
        except MrpplanError as exc:
            outcome = Each(member, None, exc, label)
        done = counter.next()
        if progress is not None:
            state = "ok" if outcome.error is None else f"FAILED: {outcome.error.message}"
            progress(f"[{done}/{total}] {member.key}: {state}")
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, env.fleet.parallel)) as pool:
        return list(pool.map(one, members))
